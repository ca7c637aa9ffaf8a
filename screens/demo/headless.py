"""The headless demo: one run per layout (portrait, landscape, portrait in elder mode), each in its own
process because a Kivy window's size is fixed at creation. Every step of every journey is
screenshotted; receipts (the rendered ESC/POS PNGs) and a summary go to ``out/demo/``.

    python -m screens.demo.headless --out out/demo                # all layouts (spawns one process each)
    python -m screens.demo.headless --out out/demo --layout landscape --one
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

LAYOUTS = {"portrait": ("portrait", False), "landscape": ("landscape", False), "elder-portrait": ("portrait", True)}


def run_layout(out: Path, layout: str) -> dict[str, object]:
    """Run every journey in this process (the window is created here) and return the layout's summary."""
    orientation, elder = LAYOUTS[layout]
    from screens import env

    env.prepare(orientation, fullscreen=False, headless=True)
    from screens.app import KioskApp, UiOptions
    from screens.demo.journeys import JOURNEYS, Journey
    from screens.demo.story import StoryPort
    from screens.driver import Driver

    started = time.monotonic()
    port = StoryPort(out_dir=out / "receipts")
    app = KioskApp(port, UiOptions(orientation=orientation, tech_hold_s=0.5))
    driver = Driver(app).start()
    folder = out / layout
    summary: dict[str, object] = {"layout": layout, "window": list(driver.app.root_widget.size), "journeys": {}}
    names = ["elder"] if elder else [n for n in JOURNEYS if n != "elder"]
    for name in names:
        journey = Journey(driver, port, folder, prefix=f"{name}-")
        result = JOURNEYS[name](journey) or {}
        summary["journeys"][name] = {  # type: ignore[index]
            "screens": journey.screens, "screenshots": [p.name for p in journey.shots],
            "receipt": str(result.get("receipt", "")), "typed": result.get("typed", {})}
    if elder:  # the rest of the screens in elder mode too (the mode stays on for the session)
        port.elder = True
        for name in ("sscard", "services"):
            journey = Journey(driver, port, folder, prefix=f"{name}-")
            JOURNEYS[name](journey)
            summary["journeys"][name] = {"screens": journey.screens, "screenshots": [p.name for p in journey.shots]}  # type: ignore[index]
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["spoken_in_elder_mode"] = port.spoken[:50]
    driver.stop()
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out/demo")
    parser.add_argument("--layout", choices=sorted(LAYOUTS), action="append")
    parser.add_argument("--one", action="store_true", help="run one layout in this process (internal)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    layouts = args.layout or list(LAYOUTS)
    if args.one:
        summary = run_layout(out, layouts[0])
        (out / f"summary-{layouts[0]}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
        return 0
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    failed = []
    for layout in layouts:
        print(f"demo: {layout} …", flush=True)
        code = subprocess.call([sys.executable, "-m", "screens.demo.headless", "--out", str(out), "--layout", layout, "--one"],
                               env=env)
        if code != 0:
            failed.append(layout)
    summaries = [json.loads((out / f"summary-{l}.json").read_text(encoding="utf-8")) for l in layouts
                 if (out / f"summary-{l}.json").exists()]
    shots = sorted(str(p.relative_to(out)) for p in out.rglob("*.png") if p.parent.name != "receipts")
    receipts = sorted(p.name for p in (out / "receipts").glob("*.png"))
    lines = ["# 渝快办 kiosk UI demo (headless)", "", f"screenshots: {len(shots)}  receipts: {len(receipts)}", ""]
    for s in summaries:
        lines.append(f"## {s['layout']} ({s['window'][0]:.0f}×{s['window'][1]:.0f}, {s['seconds']} s)")
        for name, j in s["journeys"].items():
            lines.append(f"- {name}: " + " → ".join(j["screens"]))
        lines.append("")
    lines += ["## receipts", *[f"- receipts/{r}" for r in receipts]]
    (out / "SUMMARY.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"demo: {len(shots)} screenshots, {len(receipts)} receipts → {out}/SUMMARY.md")
    if failed:
        print(f"demo: failed layouts: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
