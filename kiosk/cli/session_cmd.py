"""``kiosk session -- cage -d --``: kiosk.service's main process — the compositor with ``kiosk run`` as its
client, exiting with the *app's* exit status.

Why: Debian 12's cage (0.1.4) exits 0 whatever its client's status, so with cage as the main process
``RestartPreventExitStatus=78`` never matched and a terminal whose required device or config is broken
restarted every ``RestartSec``, forever, with no screen. This process checks the configuration first (a bad
file ends here with 78, before any compositor starts), runs the compositor command it is given with the app
appended, and exits with the status the app wrote to an inherited pipe. When the app could not write one
(killed, crashed before ``run`` started) it exits with the compositor's status, or 1 if that was 0: the
unit's restart policy then applies as for any failure.

The app is the compositor's child, i.e. our grandchild: ``WATCHDOG_PID`` (ours) is removed from its
environment so it pings systemd itself (the unit has ``NotifyAccess=all``).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from kiosk.errors import EXIT_CONFIG, ConfigError
from kiosk.settings import load_config

#: What the unit passes when it names no compositor: cage without -s (no VT switching) and without decorations.
DEFAULT_COMPOSITOR = ["cage", "-d", "--"]
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("session", help="what kiosk.service runs: the compositor with `kiosk run` inside, "
                                            "exiting with the app's status (78 on a configuration error)")
    parser.add_argument("compositor", nargs=argparse.REMAINDER,
                        help="the compositor command, ending with the `--` after which it takes its client "
                             f"(default: {' '.join(DEFAULT_COMPOSITOR)})")
    parser.set_defaults(func=_session)


def _session(args: argparse.Namespace) -> int:
    compositor = list(args.compositor)
    if compositor[:1] == ["--"]:  # argparse keeps the separator that ends `session`'s own options
        compositor = compositor[1:]
    compositor = compositor or DEFAULT_COMPOSITOR
    try:
        load_config(args.config)
    except ConfigError as exc:
        print(f"kiosk: configuration error, not starting: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return run_session(compositor, app_command(args.config))


def app_command(config: str) -> list[str]:
    """This same ``kiosk`` executable, run with the same configuration."""
    return [str(Path(sys.argv[0]).resolve()), "--config", config, "run"]


def run_session(compositor: list[str], app: list[str]) -> int:
    read_end, write_end = os.pipe()
    env = {key: value for key, value in os.environ.items() if key != "WATCHDOG_PID"}
    try:
        child = subprocess.Popen([*compositor, *app, "--status-fd", str(write_end)], env=env, pass_fds=(write_end,))
    except OSError as exc:
        os.close(read_end)
        os.close(write_end)
        print(f"kiosk: cannot start the compositor {compositor[0]!r}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    os.close(write_end)  # the app (through the compositor) holds the only write end: EOF when it is gone
    previous = {signum: signal.signal(signum, lambda signum, _frame: child.send_signal(signum)) for signum in FORWARDED}
    try:
        compositor_status = child.wait()
        reported = _read_all(read_end).strip()
    finally:
        os.close(read_end)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if reported.isdigit():
        return int(reported)
    return compositor_status if compositor_status > 0 else 1


def _read_all(fd: int) -> str:
    """What the app wrote before it ended. Non-blocking: a process the compositor left behind may still hold
    an inherited write end, and must not keep the unit from stopping."""
    os.set_blocking(fd, False)
    chunks = []
    try:
        while chunk := os.read(fd, 64):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    return b"".join(chunks).decode("ascii", "replace")
