"""``platform.enrollment_code``: a remote platform needs the one its operator issued — no product default.

Why: the product once defaulted to the simulators' ``DEMO-ENROLL``, so a terminal configured without its
code started, registered with a code no real platform knows, and stayed unregistered. Now a missing code
for an https:// or http:// platform is a configuration error (``kiosk config check`` names the key,
``kiosk run`` exits 78 so kiosk.service does not restart-loop); the demo's config names its code itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.settings import load_config, parse_config
from sim.config import DEMO_CONFIG

HEAD = """
[terminal]
id = "T1"
hall = "大厅"
district_code = "500112"
district_name = "渝北区"
data_dir = "{data}"
[platform]
url = "{url}"
"""


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("url", ["https://platform.invalid", "http://10.0.0.5:8080", "HTTPS://platform.invalid"])
@pytest.mark.parametrize("code", ["", 'enrollment_code = ""', 'enrollment_code = "  "'])
def test_a_remote_platform_without_a_code_is_a_config_error(url: str, code: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(HEAD.format(data="/tmp/x", url=url) + code + "\n", "t.toml")
    (problem,) = caught.value.problems
    assert problem.startswith("t.toml: platform.enrollment_code: ") and "required for a remote platform" in problem


def test_the_configured_code_is_kept_and_the_product_has_no_demo_default() -> None:
    config = parse_config(HEAD.format(data="/tmp/x", url="https://platform.invalid") + 'enrollment_code = "CQ-ENROLL-7Q2X"\n')
    assert config.platform.enrollment_code == "CQ-ENROLL-7Q2X"
    from kiosk.settings.model import PlatformSection

    assert PlatformSection.model_fields["enrollment_code"].default == ""


def test_the_demo_config_names_its_code() -> None:
    assert load_config(DEMO_CONFIG).platform.enrollment_code == "DEMO-ENROLL"  # what the platform emulator accepts


def test_check_names_it_and_run_exits_78_without_starting(tmp_path: Path) -> None:
    config = tmp_path / "terminal.toml"
    config.write_text(HEAD.format(data=tmp_path / "data", url="https://platform.invalid"), encoding="utf-8")
    checked = kiosk("config", "check", str(config))
    assert checked.returncode == 1 and f"{config}: platform.enrollment_code: " in checked.stderr, checked.stderr
    run = kiosk("--config", str(config), "run", "--headless")
    assert run.returncode == 78, run.stderr  # RestartPreventExitStatus=78: the unit waits for a technician
    assert "platform.enrollment_code" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was created
