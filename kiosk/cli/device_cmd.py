"""``kiosk device CLASS ACTION``: technician commands that talk to one device directly."""

from __future__ import annotations

import argparse
import importlib

#: Modules with ``register(device_subparsers)``, one per device class. Drivers add their line here.
DEVICE_COMMANDS: list[str] = [
    "drivers.printer.cli",
    "drivers.doccam.cli",
    "drivers.idcard.cli",
    "drivers.chipcard.cli",
    "drivers.barcode.cli",
    "drivers.camera.cli",
    "drivers.speaker.cli",
    "drivers.a4printer.cli",
    "drivers.scanner.cli",
    "kiosk.cli.record_cmd",  # record CLASS: any recordable class's wire traffic (docs/record-replay.md)
]


def register(sub: argparse._SubParsersAction, argv_words: list[str] | None = None) -> None:
    """Imports only the named class's CLI (``drivers.<class>.cli``); all of them for help."""
    parser = sub.add_parser("device", help="talk to one device directly (technician)")
    device_sub = parser.add_subparsers(dest="device_class", metavar="CLASS")
    wanted = [m for m in DEVICE_COMMANDS if argv_words and m == f"drivers.{argv_words[0]}.cli"]
    for module_name in wanted or DEVICE_COMMANDS:
        importlib.import_module(module_name).register(device_sub)
