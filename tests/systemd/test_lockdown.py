"""The compositor cannot be left: cage runs without VT switching, and below it no SysRq, no Ctrl+Alt+Del reboot,
no getty on a spare console. Checked on what `kiosk install-service --root` writes (docs/lockdown.md)."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.cli.main import main

CAGE = shutil.which("cage")


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    exe = tmp_path / "bin" / "kiosk"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    root = tmp_path / "root"
    assert main(["install-service", "--root", str(root), "--exec", str(exe), "--cage", CAGE or str(exe), "--no-enable"]) == 0
    return root


def cage_options(unit: str) -> list[str]:
    """cage's own options in ExecStart: ``kiosk … session -- CAGE OPTIONS --`` (the app follows cage's ``--``)."""
    argv = shlex.split(next(line for line in unit.splitlines() if line.startswith("ExecStart=")).removeprefix("ExecStart="))
    assert "session" in argv, "the unit's main process is `kiosk session` (it passes the app's exit status on)"
    compositor = argv[argv.index("session") + 1:]
    assert compositor[:1] == ["--"] and compositor[1:].count("--") == 1 and compositor[-1] == "--", \
        "cage's client must follow its --, so none of the app's arguments is read as a cage option"
    return compositor[2:-1]


def ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)  # units repeat keys (Environment=)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def test_cage_has_no_vt_switching_and_no_unknown_option(installed: Path) -> None:
    options = cage_options((installed / "etc/systemd/system/kiosk.service").read_text())
    assert options == ["-d"], options
    if CAGE is None:
        pytest.skip("cage not installed: its help cannot be checked")
    help_text = subprocess.run([CAGE, "-h"], capture_output=True, text=True, timeout=10)
    flags = dict(re.findall(r"^\s*(-\w)\s+(.*)$", help_text.stdout + help_text.stderr, re.M))
    vt_switch = [flag for flag, meaning in flags.items() if "VT switch" in meaning]
    assert vt_switch == ["-s"], flags  # the installed cage's flag for VT switching (Ctrl+Alt+Fn) …
    assert not set(options) & set(vt_switch)  # … is not passed
    assert set(options) <= set(flags), f"options the installed cage does not know: {set(options) - set(flags)}"


def test_the_unit_owns_tty1_and_leaves_nothing_behind(installed: Path) -> None:
    unit = ini(installed / "etc/systemd/system/kiosk.service")
    assert "getty@tty1.service" in unit["Unit"]["Conflicts"].split()
    service = unit["Service"]
    assert service["TTYPath"] == "/dev/tty1" and service["Restart"] == "always"
    assert service["TTYVTDisallocate"] == "yes" and service["TTYReset"] == "yes"  # the next start gets a clean console


def test_no_sysrq_no_ctrl_alt_del_no_spare_console(installed: Path) -> None:
    sysctl = dict(line.replace(" ", "").split("=", 1) for line in (installed / "etc/sysctl.d/90-yukuaiban-kiosk.conf").read_text().splitlines()
                  if line.strip() and not line.startswith("#"))
    assert sysctl == {"kernel.sysrq": "0"}
    masked = installed / "etc/systemd/system/ctrl-alt-del.target"
    assert masked.is_symlink() and str(masked.readlink()) == "/dev/null"
    assert ini(installed / "etc/systemd/system.conf.d/yukuaiban-kiosk.conf")["Manager"]["CtrlAltDelBurstAction"] == "none"
    login = ini(installed / "etc/systemd/logind.conf.d/yukuaiban-kiosk.conf")["Login"]
    assert login["NAutoVTs"] == "0" and login["ReserveVT"] == "0"
    assert {login[k] for k in ("HandleSuspendKey", "HandleHibernateKey", "HandleLidSwitch", "IdleAction")} == {"ignore"}


@pytest.mark.parametrize(("dropin", "shipped", "section"), [
    ("etc/systemd/logind.conf.d/yukuaiban-kiosk.conf", "/etc/systemd/logind.conf", "Login"),
    ("etc/systemd/system.conf.d/yukuaiban-kiosk.conf", "/etc/systemd/system.conf", "Manager"),
])
def test_every_key_is_one_systemd_knows(installed: Path, dropin: str, shipped: str, section: str) -> None:
    """systemd ignores a misspelt key with a log line only: compare with the keys the installed systemd documents."""
    if not Path(shipped).is_file():
        pytest.skip(f"{shipped} not installed")
    known = set(re.findall(r"^#?(\w+)=", Path(shipped).read_text(), re.M))
    ours = ini(installed / dropin)
    assert ours.sections() == [section]
    assert set(ours[section]) <= known, set(ours[section]) - known


def test_reinstall_keeps_one_mask(installed: Path, tmp_path: Path) -> None:
    exe = tmp_path / "bin" / "kiosk"
    assert main(["install-service", "--root", str(installed), "--exec", str(exe), "--cage", str(exe), "--no-enable"]) == 0
    assert (installed / "etc/systemd/system/ctrl-alt-del.target").is_symlink()
