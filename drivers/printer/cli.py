"""``kiosk device printer test|status|render``: the technician's direct line to the receipt printer.

``--target`` is a device URL (tcp://10.0.0.5:9100, serial:///dev/ttyS1?baud=9600, usb:?vid=0x0416&pid=0x5011,
file:///dev/usb/lp0, sim:printer). Failures print one line on stderr and exit non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.cli.device_exit import exit_code


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("printer", help="ESC/POS receipt printer")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    test = actions.add_parser("test", help="print the test page")
    test.add_argument("--target", required=True, help="device URL, e.g. tcp://127.0.0.1:9100")
    test.add_argument("--png", help="also write the rendered test page to this PNG file")
    test.add_argument("--timeout", type=float, default=15.0, help="seconds (default 15)")
    test.set_defaults(func=lambda a: _run(_test(a)))
    status = actions.add_parser("status", help="ask the printer's real-time status (DLE EOT)")
    status.add_argument("--target", required=True, help="device URL")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")
    status.set_defaults(func=lambda a: _run(_status(a)))
    render = actions.add_parser("render", help="render an ESC/POS file to PNG")
    render.add_argument("input")
    render.add_argument("output")
    render.add_argument("--paper", choices=["58", "80"], default="80")
    render.add_argument("--encoding", default="gb18030")
    render.set_defaults(func=_render)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _fail(message: str, code: int = 1) -> int:
    print(f"kiosk device printer: {message}", file=sys.stderr)
    return code


def _run(coro: Any) -> int:
    try:  # kiosk.cli.main keeps worker warnings off stderr (a NullHandler on root), so errors stay one line
        return int(asyncio.run(coro))
    except ValueError as exc:  # a malformed URL or option
        return _fail(str(exc), 2)


def _service(target: str, timeout: float) -> Any:
    from kiosk.terminal.events import EventBus
    from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
    from kiosk.terminal.status import DeviceClass

    spec = DeviceSpec("printer", DeviceClass.RECEIPT_PRINTER, DeviceUrl.parse(target), timeout_s=timeout)
    return build_device(spec, EventBus())  # sim: comes from the simulators' entry point when they are installed


async def _status(args: argparse.Namespace) -> int:
    service = _service(args.target, args.timeout)
    try:
        opened = await service.open(timeout=args.timeout)
        if not opened.ok:
            return _fail(opened.description, exit_code(opened.code))
        result = await service.refresh_status(timeout=args.timeout)
        if not result.ok:
            return _fail(f"{result.code.value}: {result.description}", exit_code(result.code))
        state = service.last_state.to_json()
        if args.json:
            print(json.dumps(state))
        else:
            for key, value in state.items():
                print(f"{key:14} {'unknown' if value is None else value}")
        return 0
    finally:
        await service.close()


async def _test(args: argparse.Namespace) -> int:
    from drivers.printer.render import render
    from kiosk.receipts import build_test_page

    service = _service(args.target, args.timeout)
    try:
        opened = await service.open(timeout=args.timeout)
        if not opened.ok:
            return _fail(opened.description, exit_code(opened.code))
        doc = build_test_page(socket.gethostname(), datetime.now())
        result = await service.print_document(doc, timeout=args.timeout)
        if not result.ok:
            return _fail(f"{result.code.value}: {result.description}", exit_code(result.code))
        print(f"test page printed: {result.detail.get('bytes')} bytes, paper {result.detail.get('paper')}")
        if args.png:
            p = service.profile
            rendered = render(service.encoder.encode(doc), width_dots=p.dots, encoding=p.encoding)
            Path(args.png).write_bytes(rendered.png())
            print(f"rendered page: {args.png}")
        return 0
    finally:
        await service.close()


def _render(args: argparse.Namespace) -> int:
    from drivers.printer.render import render

    try:
        data = Path(args.input).read_bytes()
    except OSError as exc:
        return _fail(str(exc))
    result = render(data, width_dots=384 if args.paper == "58" else 576, encoding=args.encoding)
    Path(args.output).write_bytes(result.png())
    for problem in result.unknown:
        print(f"not rendered: {problem}", file=sys.stderr)
    print(f"{args.output}: {len(result.pages)} page(s), {result.cuts} cut(s)")
    return 0
