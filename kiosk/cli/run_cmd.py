"""``kiosk run``: the terminal as systemd runs it — screens on top of the assembled terminal, or ``--headless``.

A configuration problem (a bad required device, a platform URL nothing serves, a broken catalog) ends
start-up with one line naming it and exit status ``EXIT_CONFIG`` (78, EX_CONFIG): the unit lists it in
``RestartPreventExitStatus=`` so a terminal with a broken config waits for a technician instead of
restart-looping. The screens part lives in ``screens.run_app`` (only screens/ imports kivy).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

from kiosk.errors import EXIT_CONFIG, ConfigError
from kiosk.logging_setup import configure_logging
from kiosk.settings import load_config
from kiosk.settings.model import TerminalConfig


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="run the terminal (what kiosk.service starts)")
    parser.add_argument("--headless", action="store_true", help="no screens: flows, fleet and watchdog only")
    parser.add_argument("--status-fd", type=int, default=None, metavar="FD",
                        help="also write the exit status to this inherited file descriptor (`kiosk session` reads it: "
                             "the compositor between them does not pass it on)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    status = 1  # an exception escaping below is a crash: reported as a failure
    try:
        status = _checked_run(args)
    finally:
        if args.status_fd is not None:
            _report_status(args.status_fd, status)
    return status


def _checked_run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
        return _serve(config, args.headless)
    except ConfigError as exc:
        print(f"kiosk: configuration error, not starting: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def _report_status(fd: int, status: int) -> None:
    try:
        os.write(fd, f"{status}\n".encode("ascii"))
        os.close(fd)
    except OSError:  # `kiosk session` is gone (or this fd was never a pipe): nobody to tell
        pass


def _serve(config: TerminalConfig, headless: bool) -> int:
    from kiosk.assembly import assemble
    from kiosk.log_plan import LogPlan

    plan = LogPlan.of(config)
    names = configure_logging(plan.level, plan.file, max_mb=plan.max_mb, keep_files=plan.keep_files)
    if not headless:
        runner = importlib.import_module("screens.run_app")  # the UI package owns everything Kivy
        return int(runner.run_with_screens(config, names))
    app = assemble(config, names=names).app
    stop = app.exit_requested
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    app.start(headless=True)
    try:
        stop.wait()
    finally:
        app.stop()
    return 0
