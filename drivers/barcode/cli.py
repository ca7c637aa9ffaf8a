"""``kiosk device barcode read``: wait for one 渝快码 / QR code and print it (technician check).

    kiosk device barcode read --source serial:///dev/kiosk-qr?baud=9600 --timeout 20
    kiosk device barcode read --source camera:0 --json
    kiosk device barcode read --source "sim:barcode?code=YKM1.test-token"

Without ``--source`` the terminal config's ``[devices.barcode]`` URL is used. Failures print one
line on stderr and exit with the device-CLI table's code (docs/device-cli.md: 5 no code in time, 4 no device).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from kiosk.cli.device_exit import exit_code
from kiosk.terminal.status import DeviceClass


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("barcode", help="渝快码 / QR reader (camera or serial scanner)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    read = actions.add_parser("read", help="wait for one code and print it")
    read.add_argument("--source", help="device URL (default: [devices.barcode] in the config)")
    read.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for a code (default 15)")
    read.add_argument("--json", action="store_true", help="print one JSON object")
    read.set_defaults(func=_read)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _read(args: argparse.Namespace) -> int:
    from drivers.camera.cli import build_from_args

    try:
        service = build_from_args(args, DeviceClass.BARCODE_READER)
    except ValueError as exc:
        return _fail(str(exc))
    return asyncio.run(_read_async(service, args))


async def _read_async(service: Any, args: argparse.Namespace) -> int:
    try:
        opened = await service.open(timeout=min(args.timeout, 10.0))
        if not opened.ok:
            return _fail(opened.description, exit_code(opened.code))
        result = await service.read_code(timeout=args.timeout)
        if not result.ok:
            return _fail(f"{result.code.value}: {result.description}", exit_code(result.code))
        code = result.data
        if args.json:
            print(json.dumps({"text": code.text, "symbology": code.symbology, "source": code.source, "length": len(code.text)}, ensure_ascii=False))
        else:
            print(code.text)
        return 0
    finally:
        await service.close()


def _fail(message: str, code: int = 1) -> int:
    print(f"kiosk device barcode: {message}", file=sys.stderr)
    return code
