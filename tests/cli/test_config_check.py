"""``kiosk config check`` names each problem: wrong type, unknown key, missing required key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.settings import load_config, parse_config
from sim.config import DEMO_CONFIG


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", "config", "check", str(path)], capture_output=True, text=True, timeout=60)


def test_three_problems_are_each_named(tmp_path: Path) -> None:
    bad = tmp_path / "terminal.toml"
    bad.write_text(
        '[terminal]\nid = "T1"\nhall = "大厅"\ndistrict_code = "500112"\n'  # district_name missing
        '[platform]\nurl = "https://platform.invalid"\nenrollment_code = "E1"\n'
        '[session]\nidle_timeout_s = "ninety"\n'  # wrong type
        'idle_colour = "blue"\n',  # unknown key
        encoding="utf-8",
    )
    result = check(bad)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(bad))]
    assert len(lines) == 3, result.stderr
    assert any("terminal.district_name" in l and "missing" in l for l in lines)
    assert any("session.idle_timeout_s" in l and "number" in l for l in lines)
    assert any("session.idle_colour" in l and "unknown key" in l for l in lines)
    assert "Traceback" not in result.stderr


def test_example_and_default_configs_are_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "terminal.example.toml"
    for path in (DEMO_CONFIG, example):
        assert check(path).returncode == 0, check(path).stderr


def test_unknown_device_scheme_and_bad_toml_are_config_errors(tmp_path: Path) -> None:
    base = DEMO_CONFIG.read_text(encoding="utf-8").split("[devices")[0]
    with pytest.raises(ConfigError, match="devices.idcard"):
        parse_config(base + '\n[devices.idcard]\nurl = "carrier-pigeon://x"\n', "t.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("[terminal\n", "t.toml")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")
