"""`make demo`'s command runs to the end on the embedded default and leaves its artefacts.

The UI part (Kivy screenshots) is covered by tests/ui; here the device tour and the journeys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sim.config import write_demo_config


def test_demo_runs_every_device_step_and_writes_artefacts(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    config = write_demo_config(tmp_path / "terminal.toml", tmp_path / "data")
    result = subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "demo", "--parts", "tour,journeys", "--out", str(out)],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    steps = json.loads((out / "tour.json").read_text(encoding="utf-8"))
    codes = {s["step"].split(" ")[0]: s["code"] for s in steps}
    assert codes["受理回执（缺纸）"] == "user_error"  # paper out is a completion the citizen is told about
    assert [s for s in steps if s["code"] != "success" and "缺纸" not in s["step"]] == []
    assert len(steps) >= 10
    for name in ("receipt.png", "certificate.pdf", "prompt.wav", "doccam-page.jpg", "kiosk.jsonl"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["journeys"]) >= 6 and all(row["receipt"] for row in summary["journeys"])
    assert len(list((out / "journeys").glob("*receipt*.png"))) >= 6
    assert "500112198703152613" not in (out / "kiosk.jsonl").read_text(encoding="utf-8")
    assert "500112198703152613" not in result.stdout
