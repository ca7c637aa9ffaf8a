"""``kiosk device chipcard read|readers``: the technician's direct line to the 社保卡 reader.

It talks to the system's pcscd (``pcsc:``), or with ``--sim PERSON`` to our virtual card behind a
pcscd it starts. Output is unmasked on purpose (the technician checks the card); logs stay masked.
Failures print one line on stderr and exit non-zero — never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

from kiosk.cli.device_exit import exit_code
from kiosk.terminal.events import EventBus


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chipcard", help="社保卡 reader over PC/SC")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    read = actions.add_parser("read", help="read the 社保卡 on the reader")
    read.add_argument("--reader", default="", help="reader name or part of it (default: the first reader with a card)")
    read.add_argument("--json", action="store_true", help="print one JSON object")
    read.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the card (default 10)")
    read.add_argument("--technician", action="store_true", help="read a technician card's id instead")
    read.add_argument("--sim", metavar="PERSON", help="use our virtual card (e.g. zhangsan) behind vpcd")
    read.set_defaults(func=_read)
    readers = actions.add_parser("readers", help="list the PC/SC readers pcscd knows")
    readers.add_argument("--json", action="store_true")
    readers.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")
    readers.set_defaults(func=_readers)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _fail(message: str, code: int = 1) -> int:
    print(f"kiosk device chipcard: {message}", file=sys.stderr)
    return code


def _build(args: argparse.Namespace) -> Any:
    try:
        from drivers.chipcard.service import ChipCardService
    except ImportError as exc:  # pyscard missing: one line, not a traceback
        raise _Unavailable(f"PC/SC unavailable: {exc}") from None
    bus = EventBus()
    if getattr(args, "sim", None):
        from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
        from kiosk.terminal.status import DeviceClass

        url = DeviceUrl.parse(f"sim:chipcard?person={args.sim}")  # the simulators' entry point, when installed
        return build_device(DeviceSpec("chipcard", DeviceClass.CHIP_CARD_READER, url, timeout_s=args.timeout), bus)
    return ChipCardService("chipcard", bus, reader=getattr(args, "reader", ""), default_timeout=args.timeout, monitor=False)


class _Unavailable(Exception):
    pass


async def _read_async(args: argparse.Namespace) -> int:
    service = _build(args)
    try:
        opened = await service.open(timeout=args.timeout)
        if not opened.ok:
            return _fail(opened.description, exit_code(opened.code))
        command = service.read_technician_id if args.technician else service.read_card
        result = await _read_until(command, args.timeout)
        if not result.ok:
            return _fail(f"{result.code.value}: {result.description}", exit_code(result.code))
        if args.technician:
            print(json.dumps({"technician_id": result.data}) if args.json else result.data)
        elif args.json:
            print(json.dumps(result.data.to_json_dict(), ensure_ascii=False))
        else:
            for key, value in result.data.to_json_dict().items():
                print(f"{key:24} {value}")
        return 0
    finally:
        await service.close()


async def _read_until(command: Any, timeout: float) -> Any:
    """Retry ``no_media`` until a card is there or ``timeout`` passes (the card may be going on now)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await command(timeout=max(0.5, deadline - loop.time()))
        if result.code.value != "no_media" or loop.time() + 0.1 >= deadline:
            return result
        await asyncio.sleep(0.1)


async def _readers_async(args: argparse.Namespace) -> int:
    service = _build(args)
    try:
        result = await service.list_readers(timeout=args.timeout)
        if not result.ok:
            return _fail(f"{result.code.value}: {result.description}", exit_code(result.code))
        print(json.dumps(result.data, ensure_ascii=False) if args.json else "\n".join(result.data) or "(no readers)")
        return 0
    finally:
        await service.close()


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """The one-line error is the message: keep the runner's warnings off the terminal meanwhile."""
    loggers = [logging.getLogger(name) for name in ("kiosk", "drivers")]
    saved = [lg.propagate for lg in loggers]
    sink = logging.NullHandler()  # without a handler, logging's last resort would print anyway
    for lg in loggers:
        lg.propagate = False
        lg.addHandler(sink)
    try:
        yield
    finally:
        for lg, propagate in zip(loggers, saved, strict=True):
            lg.propagate = propagate
            lg.removeHandler(sink)


def _read(args: argparse.Namespace) -> int:
    try:
        with _quiet_logs():
            return asyncio.run(_read_async(args))
    except _Unavailable as exc:
        return _fail(str(exc), 4)


def _readers(args: argparse.Namespace) -> int:
    try:
        with _quiet_logs():
            return asyncio.run(_readers_async(args))
    except _Unavailable as exc:
        return _fail(str(exc), 4)
