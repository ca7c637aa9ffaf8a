"""``kiosk device idcard read``: the technician's view of the reader (a standalone SAM: ``kiosk emulate idcard``, simulators).

``read`` prints the card unmasked (the technician is looking at the card anyway); the log stays
masked. Any failure is one line on stderr naming the cause; the exit code is the device-CLI table's
(docs/device-cli.md: 3 no card, 4 no device, 5 timeout, 6 invalid card data, 8 protocol/hardware, 1 other).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from typing import Any

from kiosk.cli.device_exit import exit_code
from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.error_codes import CommonError, ErrorCode, IdCardError
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass

LABELS = (
    ("card_type", "证件类型"), ("name", "姓名"), ("english_name", "英文姓名"), ("sex", "性别"), ("nation", "民族"),
    ("nationality_code", "国籍"), ("birth_date", "出生"), ("address", "住址"), ("id_number", "证件号码"),
    ("issuer", "签发机关"), ("valid_from", "有效期起"), ("valid_to", "有效期止"), ("pass_number", "通行证号码"),
    ("issue_count", "签发次数"),
)


def register(device_sub: argparse._SubParsersAction) -> None:
    parser = device_sub.add_parser("idcard", help="二代证 reader (GA/T 467 SAM)")
    sub = parser.add_subparsers(dest="idcard_action", metavar="ACTION")
    read = sub.add_parser("read", help="read the card on the reader and print it")
    read.add_argument("--port", required=True, help="serial port (/dev/ttyUSB0) or a device URL (sim:idcard?card=zhangsan)")
    read.add_argument("--json", action="store_true", help="print one JSON object")
    read.add_argument("--timeout", type=float, default=5.0, help="overall seconds for opening and reading (default 5)")
    read.add_argument("--baud", type=int, default=115200, help="serial speed in bit/s (default 115200)")
    read.add_argument("--fingerprint", action="store_true", help="also read the fingerprint data (30 10)")
    read.add_argument("--verbose", action="store_true", help="log (masked) protocol steps to stderr")
    read.set_defaults(func=_read)


def _quiet_logging(verbose: bool) -> None:
    """Without a handler, Python's last-resort handler would print warnings: keep stderr to one line."""
    root = logging.getLogger()
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    elif not root.handlers:
        root.addHandler(logging.NullHandler())


def _spec(port: str, timeout: float, baud: int) -> DeviceSpec:
    raw = port if ":" in port.split("/")[0] else f"serial://{port}?baud={baud}"
    return DeviceSpec("idcard", DeviceClass.ID_CARD_READER, DeviceUrl.parse(raw), timeout_s=timeout)


#: The cause printed for an error code (never read from the description's words).
CAUSES: dict[ErrorCode, str] = {
    CommonError.CHECKSUM: "checksum error",
    CommonError.PROTOCOL: "garbage on the line",
    CommonError.IO: "device lost",
    CommonError.DEVICE_SILENT: "timeout",
    CommonError.NO_DEVICE: "no device",
    IdCardError.CARD_REMOVED: "card moved during the read",
    IdCardError.SECURITY_FAIL: "card failed authentication",
    IdCardError.INVALID_MEDIA: "invalid card data",
    IdCardError.SAM_FAULT: "SAM fault",
}


def _cause(result: Completion[Any]) -> str:
    if result.error_code in CAUSES:
        return CAUSES[result.error_code]
    if result.code is CompletionCode.HARDWARE_ERROR:
        return "reader error"
    return {
        CompletionCode.NO_MEDIA: "no card",
        CompletionCode.TIMEOUT: "timeout",
        CompletionCode.DEVICE_NOT_READY: "no device",
        CompletionCode.INVALID_DATA: "invalid card data",
        CompletionCode.CANCELED: "canceled",
    }.get(result.code, result.code.value)


def _fail(step: str, result: Completion[Any]) -> int:
    print(f"idcard {step} failed: {_cause(result)}: {result.description}", file=sys.stderr)
    return exit_code(result.code)


def _read(args: argparse.Namespace) -> int:
    _quiet_logging(args.verbose)
    try:
        spec = _spec(args.port, args.timeout, args.baud)
    except ValueError as exc:
        print(f"idcard read failed: bad port: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_read_async(args, spec))


async def _read_async(args: argparse.Namespace, spec: DeviceSpec) -> int:
    device: Any = build_device(spec, EventBus())
    deadline = time.monotonic() + args.timeout
    try:
        opened = await device.open(timeout=args.timeout)
        if not opened.ok:
            return _fail("open", opened)
        result = await device.read_card(timeout=max(0.1, deadline - time.monotonic()), fingerprint=args.fingerprint)
        if not result.ok:
            return _fail("read", result)
    finally:
        await device.close()
    card = result.data
    out = card.to_json_dict()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for key, label in LABELS:
        if out.get(key):
            print(f"{label}: {out[key]}")
    if card.extra_address:
        print(f"追加住址: {card.extra_address}")
    print(f"照片: {result.detail.get('photo', 'raw_wlt')} ({len(card.photo_wlt)} bytes WLT)")
    if card.fingerprint:
        print(f"指纹: {len(card.fingerprint)} bytes")
    return 0
