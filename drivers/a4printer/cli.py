"""``kiosk device a4printer test|status``: print a test 证明 and report how the job ended; read the queue's state.

``--target`` takes a device URL (``cups:QUEUE?server=host:port`` or ``sim:a4printer``); without it
the terminal config's ``[devices.a4printer]`` is used. Failures print one line on stderr and exit
non-zero — never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.cli.device_exit import exit_code
from kiosk.errors import ConfigError, KioskError
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass, DeviceState


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("a4printer", help="A4 document printer via CUPS")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    test = actions.add_parser("test", help="print a test certificate and follow the job to its end")
    test.add_argument("--target", help="device URL, e.g. cups:HP_LaserJet or sim:a4printer (default: the config's)")
    test.add_argument("--timeout", type=float, default=60.0, help="seconds for the whole job (default 60)")
    test.add_argument("--save", metavar="FILE", help="also write the rendered PDF here")
    test.add_argument("--json", action="store_true", help="print one JSON object")
    test.set_defaults(func=_test)
    status = actions.add_parser("status", help="what the CUPS queue says now (printer-state, printer-state-reasons)")
    status.add_argument("--target", help="device URL (default: the config's)")
    status.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(func=lambda args: asyncio.run(_status_async(args)))
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _fail(message: str, code: int = 1) -> int:
    print(f"kiosk device a4printer: {message}", file=sys.stderr)
    return code


def _terminal_facts(args: argparse.Namespace) -> tuple[str, str, str]:
    """(target URL, hall, terminal id) from the arguments and the terminal config."""
    from kiosk.settings.loader import load_config

    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError:
        return args.target or "sim:a4printer", "政务服务中心", "UNKNOWN"
    entry = config.devices.get(DeviceClass.DOCUMENT_PRINTER)
    target = args.target or (entry.url if entry else "sim:a4printer")
    return target, config.terminal.hall, config.terminal.id


def _device(target: str, timeout_s: float) -> Any:
    spec = DeviceSpec("a4printer", DeviceClass.DOCUMENT_PRINTER, DeviceUrl.parse(target), timeout_s=timeout_s)
    return build_device(spec, EventBus())


async def _status_async(args: argparse.Namespace) -> int:
    """Exit 0 when the queue can print now, else the table's number for its state (7 paper out, 4 not ready …)."""
    target, _, _ = _terminal_facts(args)
    try:
        device = _device(target, args.timeout)
    except (ValueError, KioskError) as exc:
        return _fail(str(exc), 2)
    try:
        opened = await device.open()
        if not opened.ok:
            return _fail(f"{opened.code.value}: {opened.description}", exit_code(opened.code))
        status = device.status()
    finally:
        await device.close()
    report = {"target": target, "state": status.state.value, "description": status.description, "reason": status.detail.get("reason", "")}
    print(json.dumps(report, ensure_ascii=False) if args.json else f"{target}: {status.state.value} {status.description}".rstrip())
    if status.ready:
        return 0
    return exit_code(_STATE_EXIT.get(status.state, CompletionCode.DEVICE_NOT_READY))


_STATE_EXIT = {DeviceState.USER_ERROR: CompletionCode.USER_ERROR, DeviceState.HARDWARE_ERROR: CompletionCode.HARDWARE_ERROR}


async def _test_async(args: argparse.Namespace) -> int:
    from kiosk.documents.certificate import render_pdf, test_certificate

    target, hall, terminal_id = _terminal_facts(args)
    try:
        device = _device(target, args.timeout)
    except (ValueError, KioskError) as exc:
        return _fail(str(exc), 2)
    try:
        opened = await device.open()
        if not opened.ok:
            return _fail(f"{opened.code.value}: {opened.description}", exit_code(opened.code))
        pdf = render_pdf(test_certificate(hall, terminal_id, dt.datetime.now()))
        if args.save:
            Path(args.save).write_bytes(pdf)
        done = await device.print_pdf(pdf, "打印测试证明", timeout=args.timeout)
    finally:
        await device.close()
    report = {
        "target": target,
        "ok": done.ok,
        "code": done.code.value,
        "description": done.description,
        "action": done.action.value if done.action else None,
        "job_id": done.detail.get("job_id"),
        "state": done.data.state if done.data else None,
        "pdf_bytes": len(pdf),
        "seconds": round(done.duration_s, 3),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    elif done.ok:
        print(f"job {report['job_id']} {report['state']} on {target} ({len(pdf)} bytes, {report['seconds']} s)")
    if not done.ok:
        return _fail(f"{done.code.value}: {done.description} (action: {report['action']})", exit_code(done.code))
    return 0


def _test(args: argparse.Namespace) -> int:
    """Config errors and OSError reach ``kiosk.cli.main``, which prints them as one line."""
    return asyncio.run(_test_async(args))
