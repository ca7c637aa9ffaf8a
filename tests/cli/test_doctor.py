"""`kiosk doctor` reports every device and fails when a required one is not online."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAD = """
[terminal]
id = "T-DOCTOR"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
data_dir = "{data}"
[platform]
url = "embedded:"
"""


def doctor(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "doctor", "--json"],
                          capture_output=True, text=True, timeout=120)


def test_required_device_down_fails_optional_does_not(tmp_path: Path) -> None:
    config = tmp_path / "t.toml"
    config.write_text(HEAD.format(data=tmp_path / "data")
                      + '[devices.idcard]\nurl = "serial:///dev/kiosk-no-such-reader"\nrequired = true\ntimeout_s = 2\n'
                      + '[devices.speaker]\nurl = "sim:speaker"\nrequired = false\n', encoding="utf-8")
    result = doctor(config)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    devices = {d["name"]: d for d in report["devices"]}
    assert devices["idcard"]["online"] is False and devices["idcard"]["state"] in ("no_device", "hardware_error", "offline")
    assert devices["speaker"]["online"] is True
    assert any(p.startswith("device idcard") for p in report["problems"])
    assert report["font"]["ok"] and report["disk"]["ok"]
    assert report["ime"]["ok"] and report["ime"]["engine"] == "librime", report["ime"]  # setup installs librime + zinnia

    config.write_text(config.read_text(encoding="utf-8").replace("required = true", "required = false"), encoding="utf-8")
    relaxed = doctor(config)
    assert relaxed.returncode == 0, relaxed.stdout
    assert json.loads(relaxed.stdout)["ok"] is True
