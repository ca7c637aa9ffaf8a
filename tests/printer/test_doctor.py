"""``kiosk doctor`` on a terminal whose receipt printer has no paper: not ok, and it says why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CONFIG = """
[terminal]
id = "T-PAPER"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
data_dir = "{data}"
[platform]
url = "embedded:"
[devices.printer]
url = "{url}"
required = true
timeout_s = 5
"""


def doctor(tmp_path: Path, url: str) -> tuple[int, dict[str, object]]:
    config = tmp_path / "t.toml"
    config.write_text(CONFIG.format(data=tmp_path / "data", url=url), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "doctor", "--json"],
                          capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(done.stdout)


def test_doctor_says_paper_out_for_a_printer_out_of_paper_at_boot(tmp_path: Path) -> None:
    code, report = doctor(tmp_path, "sim:printer?status=out")
    [printer] = report["devices"]  # type: ignore[misc]
    assert code == 1 and report["ok"] is False
    assert printer["online"] is False and printer["state"] == "user_error" and printer["description"] == "paper out"
    assert printer["detail"]["paper"] == "out"
    assert any("printer" in p and "paper out" in p for p in report["problems"])  # type: ignore[attr-defined]
    code, report = doctor(tmp_path, "sim:printer")
    assert code == 0 and report["ok"] is True, report
