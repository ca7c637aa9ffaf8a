"""``kiosk demo``: the main job on the embedded default — emulated devices, embedded platform."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from kiosk.logging_setup import configure_logging
from kiosk.settings import load_config
from kiosk.terminal.facade import Terminal


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("demo", help="run the terminal on emulated devices and print each step")
    parser.add_argument("--out", default="out/demo", help="where receipts, certificates and the summary go")
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from kiosk.demo.tour import Tour

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    configure_logging("INFO", out / "kiosk.jsonl")
    for handler in logging.getLogger().handlers:  # the step-by-step story goes to stdout; logs to the file
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.ERROR)
    config = load_config(args.config)
    results = asyncio.run(Tour(Terminal(config), out).run())
    failed = [r for r in results if r["code"] != "success" and "缺纸" not in r["step"]]
    print(f"\n{len(results)} step(s), {len(failed)} unexpected failure(s); artefacts in {out}/")
    return 1 if failed else 0
