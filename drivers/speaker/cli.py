"""``kiosk device speaker say TEXT``: speak a prompt (technician check of voice and sound device).

    kiosk device speaker say "请将身份证放在感应区"
    kiosk device speaker say "请取走回执" --target wav:///tmp/prompts

Without ``--target`` the config's ``[devices.speaker]`` URL is used. Failures print one line on
stderr and exit with the device-CLI table's code (docs/device-cli.md: 4 no device, 6 invalid text, 5 timeout).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from kiosk.cli.device_exit import exit_code
from kiosk.terminal.status import DeviceClass


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("speaker", help="voice prompts (espeak-ng)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    say = actions.add_parser("say", help="speak TEXT")
    say.add_argument("text", help="the prompt, e.g. 请将身份证放在感应区")
    say.add_argument("--target", help="device URL: espeak:default, wav:///dir, sim:speaker (default: the config's)")
    say.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    say.set_defaults(func=_say)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _say(args: argparse.Namespace) -> int:
    from drivers.camera.cli import build_from_args

    try:
        service = build_from_args(args, DeviceClass.SPEAKER)
    except ValueError as exc:
        return _fail(str(exc))
    return asyncio.run(_say_async(service, args))


async def _say_async(service: Any, args: argparse.Namespace) -> int:
    try:
        opened = await service.open(timeout=10.0)
        if not opened.ok:
            return _fail(opened.description, exit_code(opened.code))
        result = await service.speak(args.text, timeout=args.timeout)
        if not result.ok:
            return _fail(f"{result.code.value}: {result.description}", exit_code(result.code))
        print(f"spoken: {result.detail.get('audio_s')} s → {result.detail.get('output')}")
        return 0
    finally:
        await service.close()


def _fail(message: str, code: int = 1) -> int:
    print(f"kiosk device speaker: {message}", file=sys.stderr)
    return code
