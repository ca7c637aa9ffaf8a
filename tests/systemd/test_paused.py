"""Issue 17 point 6: a bounded start limit whose OnFailure= brings up a static 暂停服务 screen and an alert.

The rendered kiosk.service stops restarting after StartLimitBurst failures in StartLimitIntervalSec and then
starts kiosk-paused.service: cage + an image viewer on a shipped PNG (no Python), a journal alert with a
fixed MESSAGE_ID and a marker file. Both units pass ``systemd-analyze verify``; the alert's shell lines are
run here exactly as systemd would run them (specifiers and $$ unescaped) against a real journal-less logger.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from kiosk.admin.install import ORIENTATIONS, PAUSED_ALERT_ID, TEMPLATES, InstallPlan, render
from kiosk.cli.main import main
from kiosk.errors import ConfigError

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    exe = tmp_path / "bin" / "kiosk"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    root = tmp_path / "root"
    assert main(["install-service", "--root", str(root), "--exec", str(exe), "--cage", shutil.which("cage") or str(exe),
                 "--orientation", "landscape"]) == 0
    return root


def _keys(text: str) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            keys.setdefault(key, []).append(value)
    return keys


def test_both_units_verify_cleanly(installed: Path) -> None:
    units = installed / "etc/systemd/system"
    done = subprocess.run(["systemd-analyze", "verify", str(units / "kiosk.service"), str(units / "kiosk-paused.service")],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


def test_start_limit_is_bounded_and_hands_over_to_the_paused_unit(installed: Path) -> None:
    kiosk = _keys((installed / "etc/systemd/system/kiosk.service").read_text())
    interval, burst, restart_sec = int(kiosk["StartLimitIntervalSec"][0]), int(kiosk["StartLimitBurst"][0]), int(kiosk["RestartSec"][0])
    assert interval > 0 and burst >= 2  # 0 would mean "restart forever": the black screen this replaces
    assert burst * restart_sec < interval  # the burst really fits in the window, else the limit never triggers
    assert kiosk["Restart"] == ["always"] and kiosk["RestartPreventExitStatus"] == ["78"]  # a bad config fails at once
    assert kiosk["OnFailure"] == ["kiosk-paused.service"]
    paused = _keys((installed / "etc/systemd/system/kiosk-paused.service").read_text())
    assert "kiosk.service" in paused["Conflicts"][0].split()  # starting the app again takes the paused screen down
    assert "OnFailure" not in paused  # no loop of failure handlers
    assert paused["TTYPath"] == kiosk["TTYPath"] and paused["PAMName"] == kiosk["PAMName"] and paused["User"] == kiosk["User"]
    assert "WantedBy" not in paused  # only ever started by OnFailure= (or an admin)


def test_paused_command_exists_and_needs_no_python(installed: Path) -> None:
    paused = _keys((installed / "etc/systemd/system/kiosk-paused.service").read_text())
    argv = paused["ExecStart"][0].split()
    assert Path(argv[0]).is_file() and os.access(argv[0], os.X_OK)  # cage
    viewer = argv[argv.index("--") + 1]
    assert viewer == "/usr/bin/swayimg"
    assert not any("python" in a or a.endswith("/kiosk") for a in argv)
    image = Path(argv[-1])
    assert image == Path("/usr/share/yukuaiban-kiosk/paused-landscape.png")
    assert (installed / image.relative_to("/")).read_bytes() == (TEMPLATES / "paused-landscape.png").read_bytes()
    for pre in paused["ExecStartPre"]:
        assert Path(pre.split()[0]).is_file()  # /bin/sh


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_shipped_screens_are_full_size_and_not_blank(orientation: str) -> None:
    with Image.open(TEMPLATES / f"paused-{orientation}.png") as image:
        assert image.size == ((1080, 1920) if orientation == "portrait" else (1920, 1080))
        colours = image.convert("L").getcolors(maxcolors=1 << 16)
    assert colours is not None
    ink = sum(n for n, value in colours if value < 128)
    assert ink > 0.002 * image.size[0] * image.size[1]  # the dark text is there


def test_bad_orientation_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="--orientation"):
        InstallPlan(exec_path="/usr/bin/kiosk", orientation="sideways").check()


def _as_systemd_runs_it(line: str) -> str:
    """The sh -c script of an ExecStartPre= line after systemd's unescaping (%% → %, $$ → $, \\\\n → \\n)."""
    script = line.split("-c ", 1)[1].strip()
    assert script[0] == script[-1] == "'"
    return script[1:-1].replace("%%", "%").replace("$$", "$").replace("\\\\", "\\")


def test_alert_lines_write_the_marker_and_a_journal_entry_once_per_episode(tmp_path: Path) -> None:
    text = render("kiosk-paused.service", InstallPlan(exec_path="/usr/bin/kiosk"))
    journal_line, marker_line, flag_line = _keys(text)["ExecStartPre"]
    assert "RuntimeDirectoryPreserve=restart" in text  # the flag survives the unit's own restarts, not a stop
    state, runtime = tmp_path / "state", tmp_path / "run"
    state.mkdir()
    runtime.mkdir()
    env = {"PATH": "/usr/bin:/bin", "STATE_DIRECTORY": str(state), "RUNTIME_DIRECTORY": str(runtime), "MONITOR_UNIT": "kiosk.service",
           "MONITOR_SERVICE_RESULT": "start-limit-hit", "MONITOR_EXIT_STATUS": "1"}
    # the journal entry: the script with logger swapped for cat shows the exact fields logger --journald gets
    journal = _as_systemd_runs_it(journal_line).replace("/usr/bin/logger --journald", "cat")

    def start() -> list[str]:  # what one start of the unit runs before the viewer
        fields = subprocess.run(["/bin/sh", "-c", journal], env=env, capture_output=True, text=True, timeout=30).stdout.splitlines()
        for line in (marker_line, flag_line):
            done = subprocess.run(["/bin/sh", "-c", _as_systemd_runs_it(line)], env=env, capture_output=True, text=True, timeout=30)
            assert done.returncode == 0, done.stderr
        return fields

    fields = start()
    assert f"MESSAGE_ID={PAUSED_ALERT_ID}" in fields and "PRIORITY=2" in fields
    assert "MESSAGE=kiosk.service failed (start-limit-hit, status 1): terminal paused, 暂停服务 screen shown" in fields
    marker = dict(line.split("=", 1) for line in (state / "paused.alert").read_text().splitlines())
    assert marker["unit"] == "kiosk.service" and marker["result"] == "start-limit-hit" and marker["since"].endswith("Z")
    first = (state / "paused.alert").read_text()
    env.update(MONITOR_SERVICE_RESULT="exit-code")  # the viewer quit (Esc) and the unit restarted itself
    assert start() == []  # no second alert …
    assert (state / "paused.alert").read_text() == first  # … and the marker keeps the episode's start
    (runtime / "alerted").unlink()  # the unit stopped (systemd removed its runtime directory): the next episode alerts
    assert any(f.startswith("MESSAGE_ID=") for f in start())
    assert Path("/usr/bin/logger").is_file()


def test_debian_package_ships_the_paused_unit_and_screens(tmp_path: Path) -> None:
    """debian/render_units.py (what debian/rules runs) puts the same unit and PNGs in the package's tree."""
    import sys

    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(repo / "debian/render_units.py"), str(tmp_path)], capture_output=True, text=True,
                          timeout=60, cwd=repo)
    assert done.returncode == 0, done.stderr
    unit = (tmp_path / "lib/systemd/system/kiosk-paused.service").read_text()
    image = next(a for a in unit.split() if a.endswith(".png"))
    assert (tmp_path / image.lstrip("/")).read_bytes() == (TEMPLATES / "paused-portrait.png").read_bytes()
    assert "OnFailure=kiosk-paused.service" in (tmp_path / "lib/systemd/system/kiosk.service").read_text()
