"""``kiosk run``: the terminal as systemd runs it — screens on top of TerminalApp, or ``--headless``.

The screens part lives in ``screens.run_app`` (only screens/ imports kivy); this module registers
the command and runs headless itself.
"""

from __future__ import annotations

import argparse
import importlib
import signal

from kiosk.logging_setup import configure_logging
from kiosk.settings import load_config


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("run", help="run the terminal (what kiosk.service starts)")
    parser.add_argument("--headless", action="store_true", help="no screens: flows, fleet and watchdog only")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from kiosk.app import TerminalApp

    config = load_config(args.config)
    data = config.terminal.data_path()
    log_file = {"-": None, "": data / "logs" / "kiosk.jsonl"}.get(config.logging.file, config.logging.file)
    names = configure_logging(config.logging.level, log_file, max_mb=config.logging.max_mb, keep_files=config.logging.keep_files)
    if args.headless:
        return _headless(TerminalApp(config, names))
    runner = importlib.import_module("screens.run_app")  # the UI package owns everything Kivy
    return int(runner.run_with_screens(config, names))


def _headless(app: "object") -> int:
    from kiosk.app import TerminalApp

    assert isinstance(app, TerminalApp)
    stop = app.exit_requested
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    app.start(headless=True)
    try:
        stop.wait()
    finally:
        app.stop()
    return 0
