"""``kiosk install-service``: set the terminal up as a 7x24 systemd service (see kiosk/admin/install.py)."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from kiosk.admin.install import InstallPlan, install
from kiosk.admin.udev import DEFAULTS, parse_spec


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("install-service", help="install the systemd units, kiosk user, udev rules and journald settings")
    parser.add_argument("--root", help="write under this directory instead of the live system (image builds, tests)")
    parser.add_argument("--exec", dest="exec_path", help="absolute path of the kiosk console script (default: the one running)")
    parser.add_argument("--terminal-config", default="/etc/yukuaiban-kiosk/terminal.toml", help="terminal config the service loads")
    parser.add_argument("--app", default="", help="full app command run under cage (default: EXEC --config CONFIG run)")
    parser.add_argument("--user", default="kiosk", help="dedicated system user (default kiosk)")
    parser.add_argument("--cage", default="/usr/bin/cage", help="cage compositor binary")
    parser.add_argument("--restart-at", default="03:30", help="nightly restart time HH:MM (backstop of the remote restart window)")
    parser.add_argument("--udev", action="append", default=[], metavar="NAME=KIND:usb=VID:PID|path=ID_PATH",
                        help="stable device name rule (repeatable; replaces the default table when given)")
    parser.add_argument("--viewer", default="/usr/bin/swayimg", help="image viewer of the paused screen (kiosk-paused.service)")
    parser.add_argument("--orientation", default="portrait", choices=("portrait", "landscape"), help="which paused screen to show")
    parser.add_argument("--no-enable", action="store_true", help="write files only, do not enable the units")
    parser.set_defaults(func=_install)


def _default_exec() -> str:
    found = shutil.which("kiosk")
    return found or str(Path(sys.executable).with_name("kiosk"))


def _install(args: argparse.Namespace) -> int:
    plan = InstallPlan(exec_path=args.exec_path or _default_exec(), config=args.terminal_config, user=args.user, cage=args.cage,
                       restart_at=args.restart_at, app=args.app, viewer=args.viewer, orientation=args.orientation,
                       udev=[parse_spec(s) for s in args.udev] or list(DEFAULTS))
    written = install(plan, Path(args.root) if args.root else None, enable=not args.no_enable)
    for path in written:
        print(path)
    print(f"installed {len(written)} file(s); user {plan.user}; start with: systemctl start kiosk.service")
    return 0
