"""`kiosk install-service --root DIR`: rendered units pass `systemd-analyze verify`, the user and rules exist."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from kiosk.admin.udev import parse_spec, render_rules
from kiosk.cli.main import main
from kiosk.errors import ConfigError

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    exe = tmp_path / "bin" / "kiosk"  # the ExecStart binaries must exist for verify
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    cage = shutil.which("cage") or str(exe)
    root = tmp_path / "root"
    rc = main(["install-service", "--root", str(root), "--exec", str(exe), "--cage", cage, "--udev", "idcard=tty:usb=10c4:ea60",
               "--udev", "doccam=video:path=pci-0000:00:14.0-usb-0:4:1.0", "--restart-at", "02:45"])
    assert rc == 0
    return root


def _verify(*units: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})


def test_units_verify_cleanly(installed: Path) -> None:
    units = installed / "etc/systemd/system"
    done = _verify(units / "kiosk.service", units / "kiosk-restart.service", units / "kiosk-restart.timer")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # unknown keys are only warnings: none allowed


def test_verify_would_catch_a_broken_unit(installed: Path, tmp_path: Path) -> None:
    broken = tmp_path / "kiosk.service"
    text = (installed / "etc/systemd/system/kiosk.service").read_text()
    broken.write_text(text.replace("WatchdogSec=30", "WatchdogSek=30"))
    assert "Unknown key" in _verify(broken).stderr
    missing = tmp_path / "missing" / "kiosk.service"
    missing.parent.mkdir()
    exec_line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    missing.write_text(text.replace(exec_line, "ExecStart=/nonexistent/cage -- /nonexistent/kiosk run"))
    assert _verify(missing).returncode != 0


def test_service_is_notify_watchdog_hardened(installed: Path) -> None:
    text = (installed / "etc/systemd/system/kiosk.service").read_text()
    for line in ("Type=notify", "NotifyAccess=all", "WatchdogSec=30", "Restart=always", "User=kiosk", "ProtectSystem=strict",
                 "PrivateTmp=yes", "NoNewPrivileges=yes", "SupplementaryGroups=dialout lp video scanner", "StandardOutput=journal"):
        assert line in text
    timer = (installed / "etc/systemd/system/kiosk-restart.timer").read_text()
    assert "OnCalendar=*-*-* 02:45:00" in timer
    assert (installed / "etc/systemd/system/graphical.target.wants/kiosk.service").is_symlink()
    assert (installed / "etc/systemd/system/timers.target.wants/kiosk-restart.timer").is_symlink()


def test_security_exposure_is_bounded(installed: Path) -> None:
    done = subprocess.run(["systemd-analyze", "security", "--offline=true", str(installed / "etc/systemd/system/kiosk.service")],
                          capture_output=True, text=True, timeout=60)
    line = [line for line in done.stdout.splitlines() if "Overall exposure level" in line][0]
    assert float(line.split(":")[1].split()[0]) <= 6.5, line


def test_dedicated_user_in_device_groups(installed: Path) -> None:
    passwd = (installed / "etc/passwd").read_text()
    assert any(line.startswith("kiosk:") and line.endswith("/usr/sbin/nologin") for line in passwd.splitlines())
    groups = {line.split(":")[0]: line.split(":")[3].split(",") for line in (installed / "etc/group").read_text().splitlines()}
    for group in ("dialout", "lp", "video", "scanner"):
        assert "kiosk" in groups[group]


def test_udev_rules_and_journald(installed: Path) -> None:
    rules = (installed / "etc/udev/rules.d/70-yukuaiban-kiosk.rules").read_text()
    assert 'ATTRS{idVendor}=="10c4", ATTRS{idProduct}=="ea60", SYMLINK+="kiosk-idcard", GROUP="dialout"' in rules
    assert 'ENV{ID_PATH}=="pci-0000:00:14.0-usb-0:4:1.0", SYMLINK+="kiosk-doccam", GROUP="video"' in rules
    journald = (installed / "etc/systemd/journald.conf.d/yukuaiban-kiosk.conf").read_text()
    assert "Storage=persistent" in journald


def test_reinstall_is_idempotent(installed: Path, tmp_path: Path) -> None:
    exe = tmp_path / "bin" / "kiosk"
    assert main(["install-service", "--root", str(installed), "--exec", str(exe), "--cage", str(exe)]) == 0
    passwd = (installed / "etc/passwd").read_text()
    assert sum(line.startswith("kiosk:") for line in passwd.splitlines()) == 1
    mode = stat.S_IMODE((installed / "etc/systemd/system/kiosk.service").stat().st_mode)
    assert mode & 0o022 == 0 or mode == 0o644


@pytest.mark.parametrize("spec", ["idcard=tty", "idcard=serial:usb=10c4:ea60", "x=tty:usb=10c4", "idcard=tty:usb=zzzz:ea60",
                                  'idcard=tty:path=a"b', "idcard=tty:serial=123"])
def test_bad_udev_specs_are_clear_errors(spec: str) -> None:
    with pytest.raises(ConfigError, match="--udev"):
        parse_spec(spec)


def test_bad_options_exit_nonzero_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install-service", "--root", str(tmp_path), "--exec", "relative/kiosk"]) == 1
    assert "must be an absolute path" in capsys.readouterr().err
    assert render_rules([parse_spec("qr=tty:usb=1a86:7523,serial=A1")]).count("SYMLINK") == 1


def test_app_command_override_and_no_enable(tmp_path: Path) -> None:
    exe = tmp_path / "kiosk"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    root = tmp_path / "root"
    assert main(["install-service", "--root", str(root), "--exec", str(exe), "--cage", str(exe), "--no-enable",
                 "--app", f"{exe} ui --fullscreen"]) == 0
    text = (root / "etc/systemd/system/kiosk.service").read_text()
    assert f"ExecStart={exe} -d -- {exe} ui --fullscreen" in text
    assert not (root / "etc/systemd/system/graphical.target.wants").exists()
