"""``kiosk config check [FILE]``: validate a terminal config — every section, every device's URL and typed
options — and print every problem as ``file: key: why`` (exit 1), never a traceback."""

from __future__ import annotations

import argparse
import sys

from kiosk.errors import ConfigError
from kiosk.settings import SYSTEM_CONFIG, load_config


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("config", help="terminal configuration")
    config_sub = parser.add_subparsers(dest="config_command", metavar="ACTION")
    check = config_sub.add_parser("check", help="validate a terminal config file")
    check.add_argument("file", nargs="?", default=str(SYSTEM_CONFIG), help=f"config file (default: {SYSTEM_CONFIG})")
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.file)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {args.file}", file=sys.stderr)
        return 1
    print(f"{args.file}: ok (terminal {config.terminal.id}, {len(config.devices)} device(s))")
    return 0
