"""``kiosk device camera check``: judge what the face camera sees now (technician check).

    kiosk device camera check --source camera:0
    kiosk device camera check --source "sim:camera?scene=far" --json

Prints the verdict, the Chinese guidance a citizen would see and the measurements. Exit 0 when
the frame passes, 3 when it does not, 4 when the camera is unavailable. No frame is saved.
``build_from_args`` is shared with the barcode CLI (both take ``--source`` or the config's URL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import Any

from kiosk.cli.device_exit import exit_code
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass


def build_from_args(args: argparse.Namespace, device_class: DeviceClass) -> Any:
    """The device service for ``--source``, else the config's ``[devices.<class>]`` URL."""
    if not logging.getLogger().handlers:  # the runner's warnings would add lines to our one-line errors
        logging.getLogger().addHandler(logging.NullHandler())
    url = getattr(args, "source", None) or getattr(args, "target", None)
    if not url:
        from kiosk.settings.loader import load_config

        entry = load_config(getattr(args, "config", None)).devices.get(device_class)
        if entry is None:
            raise ValueError(f"no --source given and no [devices.{device_class.value}] in the config")
        url = entry.url
    spec = DeviceSpec(device_class.value, device_class, DeviceUrl.parse(url), timeout_s=float(getattr(args, "timeout", 10.0)))
    return build_device(spec, EventBus())


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("camera", help="face camera for 人证核验")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    check = actions.add_parser("check", help="judge the current frame: face, size, centre, light, sharpness")
    check.add_argument("--source", help="device URL (default: [devices.camera] in the config)")
    check.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a frame (default 10)")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(func=_check)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _check(args: argparse.Namespace) -> int:
    try:
        service = build_from_args(args, DeviceClass.CAMERA)
    except ValueError as exc:
        return _fail(str(exc))
    return asyncio.run(_check_async(service, args))


async def _check_async(service: Any, args: argparse.Namespace) -> int:
    try:
        opened = await service.open(timeout=args.timeout)
        if not opened.ok:
            return _fail(opened.description, exit_code(opened.code))
        result = await service.check_quality(timeout=args.timeout)
        if not result.ok:
            return _fail(f"{result.code.value}: {result.description}", exit_code(result.code))
        report = result.data
        if args.json:
            print(json.dumps(report.to_json_dict(), ensure_ascii=False))
        else:
            print(f"quality   {'ok' if report.ok else report.problem}")
            print(f"guidance  {report.guidance}")
            print(f"faces     {report.faces}")
            for key, value in report.metrics.items():
                print(f"{key:17} {value}")
        return 0 if report.ok else exit_code(CompletionCode.USER_ERROR)  # the citizen must move
    finally:
        await service.close()


def _fail(message: str, code: int = 1) -> int:
    print(f"kiosk device camera: {message}", file=sys.stderr)
    return code
