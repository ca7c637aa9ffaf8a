"""``kiosk config check`` names each bad value (file, key, why) with exit 1 — run as the real CLI, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.settings import parse_config

BASE = """
[terminal]
id = "T1"
hall = "大厅"
district_code = "500112"
district_name = "渝北区"
[platform]
url = "https://platform.invalid"
enrollment_code = "CQ-ENROLL-T1"
"""


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", "config", "check", str(path)], capture_output=True, text=True, timeout=60)


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE + text, "t.toml")
    return caught.value.problems


def test_a_non_base32_totp_secret_is_named_by_the_real_cli(tmp_path: Path) -> None:
    bad = tmp_path / "terminal.toml"
    bad.write_text(BASE + '[maintenance]\ntotp_secret = "not-base32!"\n', encoding="utf-8")
    result = check(bad)
    assert result.returncode == 1, result.stderr
    assert f"{bad}: maintenance.totp_secret: Value error, not base32" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("secret", ["JBSWY3DPEHPK3PXP", "jbsw y3dp ehpk 3pxp", ""])
def test_valid_totp_secrets_pass(secret: str) -> None:
    assert parse_config(BASE + f'[maintenance]\ntotp_secret = "{secret}"\n').maintenance.totp_secret == secret


def test_a_too_short_totp_secret_is_refused() -> None:
    assert any("maintenance.totp_secret" in p and "too short" in p for p in problems('[maintenance]\ntotp_secret = "JBSW"\n'))


def test_a_typo_in_a_device_option_is_named_by_the_real_cli(tmp_path: Path) -> None:
    bad = tmp_path / "terminal.toml"
    bad.write_text(BASE + '[devices.idcard]\nurl = "sim:idcard?baud=fast"\n'
                   '[devices.speaker]\nurl = "sim:speaker"\n[devices.speaker.options]\nspeed = "fast"\n'
                   '[devices.printer]\nurl = "tcp://192.0.2.10:9100"\n[devices.printer.options]\npaper_width = 80\n', encoding="utf-8")
    result = check(bad)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{bad}: devices.")]
    assert len(lines) == 3, result.stderr
    assert any("devices.idcard.url ?baud=" in line and "'fast'" in line and "integer" in line for line in lines)
    assert any("devices.speaker.options.speed" in line and "'fast'" in line for line in lines)
    assert any("devices.printer.options.paper_width: unknown option" in line and "paper_mm" in line for line in lines)


def test_good_device_options_in_the_query_and_the_table_pass() -> None:
    config = parse_config(BASE + '[devices.idcard]\nurl = "sim:idcard?baud=9600&card=zhangsan"\n'
                          '[devices.idcard.options]\nread_timeout_s = 2.5\n', "t.toml")
    assert config.devices  # validated, typed options are built again by the registry at run time


def test_a_key_in_the_query_and_the_table_is_named() -> None:
    (found,) = problems('[devices.idcard]\nurl = "sim:idcard?baud=9600"\n[devices.idcard.options]\nbaud = 9600\n')
    assert found == "t.toml: devices.idcard.options.baud: also given in the URL query; give it once"


def test_a_config_without_a_platform_is_refused_not_an_emulator() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE.split("[platform]")[0], "t.toml")
    assert caught.value.problems == ["t.toml: platform: required key is missing"]
