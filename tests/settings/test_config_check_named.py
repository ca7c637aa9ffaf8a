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
