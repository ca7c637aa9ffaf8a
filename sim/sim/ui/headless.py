"""The headless demo: one run per layout (portrait, landscape, portrait in elder mode), each in its own
process because a Kivy window's size is fixed at creation. Every step of every journey is
screenshotted; receipts (the rendered ESC/POS PNGs) and a summary go to ``out/demo/``.

    python -m sim.ui.headless --out out/demo                # all layouts (spawns one process each)
    python -m sim.ui.headless --out out/demo --layout landscape --one
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAYOUTS = {"portrait": ("portrait", False), "landscape": ("landscape", False), "elder-portrait": ("portrait", True)}
# Each layout runs one complete item (so every item screen is shot in every layout) and the services;
# the three items (applicant, 代办, elder) are spread over the layouts to keep the demo near a minute each.
JOURNEYS_BY_LAYOUT = {"portrait": ["ordinary", "window_only", "services", "more_services", "idle"],
                      "landscape": ["agent", "window_only", "services", "more_services", "idle"],
                      "elder-portrait": ["elder", "elder_care", "services", "more_services", "idle"]}


def run_layout(out: Path, layout: str) -> dict[str, object]:
    """Run the layout's journeys in this process (the window is created here) on the real flow engine:
    FlowRuntime with the embedded config (sim devices, embedded platform), data in a fresh directory."""
    orientation, elder = LAYOUTS[layout]
    data_dir = Path(tempfile.mkdtemp(prefix=f"kiosk-demo-{layout}-"))
    from screens import env

    env.prepare(orientation, fullscreen=False, headless=True)
    from kiosk.assembly import assemble
    from sim.config import demo_config
    from screens.app import KioskApp, UiOptions
    from screens.driver import Driver
    from sim.ui.checks import GlyphCheck
    from sim.ui.journeys import JOURNEYS, Journey, RecordingPort

    class CheckedApp(KioskApp):
        """Each screenshot also checks the characters on screen against the font."""

        def screenshot(self, path: Path) -> Path:
            glyphs.check(path.name, [self.root_widget])
            return super().screenshot(path)

    started = time.monotonic()
    config = demo_config(data_dir=data_dir)
    runtime = assemble(config).runtime.start()
    port = RecordingPort(runtime)
    app = CheckedApp(port, UiOptions(orientation=orientation, tech_hold_s=0.5, elder_font_scale=config.ui.elder_font_scale))
    driver = Driver(app).start()
    glyphs = GlyphCheck(app.font.path)
    app.ime_loader.wait()
    folder = out / layout
    summary: dict[str, object] = {"layout": layout, "window": list(driver.app.root_widget.size), "journeys": {},
                                  "engine": "kiosk.flows.port.FlowRuntime (sim devices, embedded platform)"}
    names = JOURNEYS_BY_LAYOUT[layout]
    last_receipt = ""
    try:
        for name in names:
            t0 = time.monotonic()
            journey = Journey(driver, port, folder, prefix=f"{name}-", receipts_dir=out / "receipts", elder=elder)
            journey.last_receipt_number = last_receipt
            result = JOURNEYS[name](journey) or {}
            last_receipt = journey.last_receipt_number or last_receipt
            summary["journeys"][name] = {  # type: ignore[index]
                "screens": journey.screens, "screenshots": [p.name for p in journey.shots],
                "receipts": [p.name for p in journey.receipts], "receipt_number": journey.last_receipt_number,
                "typed_fields": sorted(result.get("typed", {})),
                "seconds": round(time.monotonic() - t0, 1)}
            print(f"demo: {layout} {name}: {len(journey.shots)} screenshots, {time.monotonic() - t0:.1f} s "
                  + " ".join(f"{k} {v:.1f} s" for k, v in journey.timing.items()), flush=True)
    finally:
        summary["seconds"] = round(time.monotonic() - started, 1)
        summary["intents"] = [type(i).__name__ for i in port.sent]
        summary["missing_glyphs"] = glyphs.missing
        runtime.stop()  # first: no view-model may arrive while the window closes
        driver.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
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
        code = subprocess.call([sys.executable, "-m", "sim.ui.headless", "--out", str(out), "--layout", layout, "--one"],
                               env=env)
        if code != 0:
            failed.append(layout)
    summaries = [json.loads((out / f"summary-{l}.json").read_text(encoding="utf-8")) for l in layouts
                 if (out / f"summary-{l}.json").exists()]
    from sim.ui.checks import missing_screens

    shots = sorted(str(p.relative_to(out)) for p in out.rglob("*.png") if p.parent.name != "receipts")
    problems = []
    for s in summaries:
        names = [n for j in s["journeys"].values() for n in j["screenshots"]]
        if missing := missing_screens(names):
            problems.append(f"{s['layout']}: no screenshot of {', '.join(missing)}")
        for shot, chars in s.get("missing_glyphs", {}).items():
            problems.append(f"{s['layout']}/{shot}: no glyph for {' '.join(chars)}")
    receipts = sorted(p.name for p in (out / "receipts").glob("*.png"))
    lines = ["# 渝快办 kiosk UI demo (headless)", "", f"screenshots: {len(shots)}  receipts: {len(receipts)}", ""]
    for s in summaries:
        lines.append(f"## {s['layout']} ({s['window'][0]:.0f}×{s['window'][1]:.0f}, {s['seconds']} s)")
        for name, j in s["journeys"].items():
            lines.append(f"- {name} ({j['seconds']} s): " + " → ".join(j["screens"]))
            if j.get("receipts"):
                lines.append(f"  - receipt {j['receipt_number']}: " + ", ".join(f"receipts/{r}" for r in j["receipts"]))
        lines.append("")
    lines += ["## checks", *([f"- {p}" for p in problems] or ["- every screen shot in every layout; no missing glyph"]), ""]
    lines += ["## receipts", *[f"- receipts/{r}" for r in receipts]]
    (out / "SUMMARY.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"demo: {len(shots)} screenshots, {len(receipts)} receipts → {out}/SUMMARY.md")
    for problem in problems:
        print(f"demo: {problem}", file=sys.stderr)
    if failed:
        print(f"demo: failed layouts: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
