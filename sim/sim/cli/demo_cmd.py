"""``kiosk demo``: the main job on the embedded default — emulated devices, embedded platform.

Three parts, each printed step by step: a tour of every device through its contract; citizens'
journeys on the real flow engine; and, when the UI extra is installed, the Kivy screens rendered
headless (every screen, both orientations and elder mode) into the same output folder.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from kiosk.logging_setup import configure_logging
from sim.config import demo_config
from kiosk.terminal.facade import Terminal


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("demo", help="run the terminal on emulated devices and print each step")
    parser.add_argument("--out", default="out/demo", help="where receipts, certificates, screenshots and the summary go")
    parser.add_argument("--parts", default="tour,journeys,ui", help="comma-separated: tour, journeys, ui")
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    configure_logging("INFO", out / "kiosk.jsonl")
    for handler in logging.getLogger().handlers:  # the step-by-step story goes to stdout; logs to the file
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.CRITICAL)
    config = demo_config(args.config)
    summary: dict[str, object] = {}
    failures = 0
    if "tour" in parts:
        from sim.demo.tour import Tour

        print("═══ 1. 设备巡检 Device tour ═══")
        steps = asyncio.run(Tour(Terminal(config), out).run())
        summary["tour"] = steps
        failures += sum(1 for r in steps if r["code"] != "success" and "缺纸" not in str(r["step"]))
    if "journeys" in parts:
        from sim.demo.journeys import run_journeys

        print("\n═══ 2. 群众办事 Citizens' journeys on the flow engine ═══")
        rows = asyncio.run(run_journeys(config, out / "journeys", say=lambda line: print(line, flush=True)))
        summary["journeys"] = rows
        failures += sum(1 for r in rows if not r["receipt"])
    if "ui" in parts:
        summary["ui"] = _ui(out, args.config)
        failures += 0 if summary["ui"] in ("ok", "skipped: kivy not installed") else 1
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\n{failures} unexpected failure(s); artefacts in {out}/ (summary.json)")
    return 1 if failures else 0


def _ui(out: Path, config_path: str | None) -> str:
    """The screens need their own process: a Kivy window's size is fixed when it is created."""
    if importlib.util.find_spec("kivy") is None:
        return "skipped: kivy not installed"
    print("\n═══ 3. 界面截图 Every screen, rendered headless (portrait, landscape, elder) ═══", flush=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    command = [sys.executable, "-m", "kiosk.cli.main", *(["--config", config_path] if config_path else []),
               "ui", "--demo", "--headless", "--out", str(out / "screens")]
    done = subprocess.run(command, env={**env, "KIVY_NO_ARGS": "1"}, check=False)
    return "ok" if done.returncode == 0 else f"failed: exit {done.returncode}"
