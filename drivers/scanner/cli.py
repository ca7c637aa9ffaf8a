"""``kiosk device scanner scan``: scan pages and write them as JPEGs (and optionally one PDF).

``--target`` is a device URL (``sane:test:0``, ``sim:scanner``); without it the terminal config's
``[devices.scanner]`` is used. Failures print one line on stderr and exit non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.cli.device_exit import exit_code
from kiosk.errors import ConfigError, KioskError
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("scanner", help="SANE document scanner")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    scan = actions.add_parser("scan", help="scan from the flatbed or the feeder")
    scan.add_argument("--target", help="device URL, e.g. sane:test:0 or sim:scanner (default: the config's)")
    scan.add_argument("--source", choices=["flatbed", "adf"], default="flatbed")
    scan.add_argument("--mode", choices=["color", "gray"], default="color")
    scan.add_argument("--dpi", type=int, default=300, help="resolution in dots per inch (default 300)")
    scan.add_argument("--max-pages", type=int, default=50, help="stop the feeder after this many sheets")
    scan.add_argument("--out", metavar="DIR", help="write page-N.jpg (and scan.pdf with --pdf) here")
    scan.add_argument("--pdf", action="store_true", help="also write all pages as one PDF (needs --out)")
    scan.add_argument("--timeout", type=float, default=120.0, help="seconds for the whole scan (default 120)")
    scan.add_argument("--json", action="store_true", help="print one JSON object")
    scan.set_defaults(func=_scan)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _fail(message: str, code: int = 1) -> int:
    print(f"kiosk device scanner: {message}", file=sys.stderr)
    return code


def _target(args: argparse.Namespace) -> str:
    if args.target:
        return str(args.target)
    from kiosk.settings.loader import load_config

    try:
        entry = load_config(getattr(args, "config", None)).devices.get(DeviceClass.SCANNER)
    except ConfigError:
        entry = None
    return entry.url if entry else "sim:scanner"


async def _scan_async(args: argparse.Namespace) -> int:
    from drivers.scanner.topdf import pages_to_pdf

    if args.pdf and not args.out:
        return _fail("--pdf needs --out DIR", 2)
    target = _target(args)
    try:
        spec = DeviceSpec("scanner", DeviceClass.SCANNER, DeviceUrl.parse(target), timeout_s=args.timeout)
        device: Any = build_device(spec, EventBus())
    except (ValueError, KioskError) as exc:
        return _fail(str(exc), 2)
    try:
        opened = await device.open()
        if not opened.ok:
            return _fail(f"{opened.code.value}: {opened.description}", exit_code(opened.code))
        done = await device.scan(args.timeout, source=args.source, mode=args.mode, dpi=args.dpi, max_pages=args.max_pages)
    finally:
        await device.close()
    pages = list(done.data or [])
    written: list[str] = []
    if args.out and pages:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for page in pages:
            path = out / f"page-{page.detail.get('page', len(written) + 1)}.jpg"
            path.write_bytes(page.data)
            written.append(str(path))
        if args.pdf:
            (out / "scan.pdf").write_bytes(pages_to_pdf(pages, title="scan"))
            written.append(str(out / "scan.pdf"))
    report = {
        "target": target, "ok": done.ok, "code": done.code.value, "description": done.description,
        "action": done.action.value if done.action else None, "pages": len(pages),
        "size": [pages[0].width, pages[0].height] if pages else None, "dpi": pages[0].dpi if pages else None,
        "jpeg_bytes": [len(p.data) for p in pages], "files": written, "seconds": round(done.duration_s, 3),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    elif pages:
        print(f"{len(pages)} page(s) {report['size'][0]}x{report['size'][1]} @ {report['dpi']} dpi in {report['seconds']} s")
        for name in written:
            print(name)
    if not done.ok:
        return _fail(f"{done.code.value}: {done.description} (action: {report['action']})", exit_code(done.code))
    return 0


def _scan(args: argparse.Namespace) -> int:
    """Config errors and OSError reach ``kiosk.cli.main``, which prints them as one line."""
    return asyncio.run(_scan_async(args))
