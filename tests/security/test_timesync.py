"""``install-service`` keeps the clock in sync (signed requests fail outside the platform's ±300 s window)."""

from __future__ import annotations

import configparser
import shutil
from pathlib import Path

import pytest

from kiosk.admin.install import TIMESYNCD_CONF, InstallPlan, install, timesyncd_conf
from kiosk.errors import ConfigError


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="systemd-sysusers missing")
def test_install_service_configures_and_enables_timesyncd(tmp_path: Path) -> None:
    install(InstallPlan(exec_path="/usr/bin/kiosk", ntp="ntp.ntsc.ac.cn  ntp1.example.cn"), tmp_path)
    parser = configparser.ConfigParser()
    parser.read_string((tmp_path / TIMESYNCD_CONF).read_text(encoding="utf-8"))
    assert parser["Time"]["NTP"] == "ntp.ntsc.ac.cn ntp1.example.cn" and parser["Time"]["FallbackNTP"]
    link = tmp_path / "etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service"
    assert link.is_symlink() and str(link.readlink()) == "/usr/lib/systemd/system/systemd-timesyncd.service"
    install(InstallPlan(exec_path="/usr/bin/kiosk"), tmp_path)  # idempotent
    assert "NTP=ntp.ntsc.ac.cn cn.ntp.org.cn" in (tmp_path / TIMESYNCD_CONF).read_text(encoding="utf-8")


def test_a_bad_ntp_list_is_a_config_error() -> None:
    for bad in ("", "a.example\nNTP=evil", "x;rm -rf /"):
        with pytest.raises(ConfigError):
            timesyncd_conf(bad)
