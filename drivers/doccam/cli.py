"""``kiosk device doccam capture``: one auto-captured page from a camera, a video or the emulator.

    kiosk device doccam capture --source uvc:///dev/video0 --out page.jpg
    kiosk device doccam capture --source sim:doccam?scene=card --mode id_front --out card.jpg
    kiosk device doccam capture --source file:///tmp/desk.mp4 --out page.pdf --timeout 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from kiosk.errors import ConfigError
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass


def register(device_sub: argparse._SubParsersAction) -> None:
    parser = device_sub.add_parser("doccam", help="高拍仪 document camera")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    capture = actions.add_parser("capture", help="wait for a still page and save the corrected capture")
    capture.add_argument("--source", required=True, help="uvc:///dev/video0?width=3840&height=2160&fourcc=MJPG | file:///x.mp4 | sim:doccam?scene=a4")
    capture.add_argument("--mode", choices=["page", "id_front", "id_back"], default="page")
    capture.add_argument("--out", help="output file, .jpg or .pdf (default: print the summary only)")
    capture.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a still page")
    capture.add_argument("--dpi", type=int, default=300)
    capture.add_argument("--max-kb", type=float, default=400.0, help="upload budget in kB (1000 bytes)")
    capture.add_argument("--grey", action="store_true", help="greyscale output (text-only material)")
    capture.set_defaults(func=_capture)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _capture(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else None
    output = "pdf" if out is not None and out.suffix.lower() == ".pdf" else "jpeg"
    if out is not None and out.suffix.lower() not in (".jpg", ".jpeg", ".pdf"):
        raise ConfigError(f"--out {out}: use a .jpg or .pdf file name")
    try:
        url = DeviceUrl.parse(args.source)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    options = {"dpi": args.dpi, "max_kb": args.max_kb, "output": output, "grey": args.grey}
    spec = DeviceSpec("doccam", DeviceClass.DOCUMENT_CAMERA, url, timeout_s=args.timeout, options=options)
    return asyncio.run(_run(spec, args.mode, args.timeout, out))


async def _run(spec: DeviceSpec, mode: str, timeout: float, out: Path | None) -> int:
    device = build_device(spec, EventBus())
    try:
        opened = await device.open(timeout=15.0)
        if not opened.ok:
            print(f"kiosk: doccam: {opened.code.value}: {opened.description}", file=sys.stderr)
            return 1
        result = await device.capture_page(timeout, mode=mode)  # type: ignore[attr-defined]
    finally:
        await device.close()
    if not result.ok or result.data is None:
        print(f"kiosk: doccam: {result.code.value}: {result.description}", file=sys.stderr)
        return 1
    page = result.data
    if out is not None:
        try:
            out.write_bytes(page.data)
        except OSError as exc:
            print(f"kiosk: doccam: cannot write {out}: {exc.strerror}", file=sys.stderr)
            return 1
    summary = {"mime": page.mime, "width": page.width, "height": page.height, "dpi": page.dpi, "bytes": len(page.data),
               "out": str(out) if out else None, **{k: page.detail[k] for k in ("mode", "quality", "grey", "corners") if k in page.detail}}
    print(json.dumps(summary, ensure_ascii=False))
    return 0
