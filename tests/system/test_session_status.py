"""The unit's exit status under the real compositor: ``kiosk session -- cage -d --`` exits with the *app's*
status, so ``RestartPreventExitStatus=78`` stops a restart loop. Debian 12's cage itself exits 0 whatever its
client did (the first test shows it: the reason ``kiosk session`` exists)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.system.cage import MISSING, REPO, demo_config

pytestmark = [pytest.mark.system, pytest.mark.skipif(bool(MISSING), reason=f"not installed: {MISSING}")]
KIOSK = str(REPO / ".venv/bin/kiosk") if (REPO / ".venv/bin/kiosk").exists() else shutil.which("kiosk") or "kiosk"


def headless_env(tmp: Path) -> dict[str, str]:
    runtime = tmp / "xdg-runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "NOTIFY_SOCKET", "WATCHDOG_PID")}
    env.update(XDG_RUNTIME_DIR=str(runtime), WLR_BACKENDS="headless", WLR_LIBINPUT_NO_DEVICES="1", WLR_RENDERER="pixman",
               KIVY_NO_ARGS="1")
    return env


def as_user(argv: list[str]) -> list[str]:
    """cage refuses root: run it as uid 1000 in a user namespace (tests/system/cage.py says why)."""
    return ["unshare", "--user", "--map-user=1000", "--map-group=1000", *argv] if os.geteuid() == 0 else argv


def cage() -> str:
    return shutil.which("cage") or "cage"


def test_cage_alone_hides_the_clients_status(tmp_path: Path) -> None:
    done = subprocess.run(as_user([cage(), "-d", "--", "sh", "-c", "exit 78"]), env=headless_env(tmp_path), capture_output=True,
                          timeout=60)
    if done.returncode == 78:
        pytest.skip("this cage passes its client's status on: kiosk session is not needed for it, only harmless")
    assert done.returncode == 0


def test_a_bad_required_device_ends_the_session_with_78(tmp_path: Path) -> None:
    """The config parses (so the compositor starts), the app inside finds the required reader's option bad and
    exits 78: the session exits 78, the line names the key."""
    config = demo_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace('url = "sim:idcard?card=zhangsan"', 'url = "sim:idcard?card=zhangsan&baud=fast"\nrequired = true')
    config.write_text(text, encoding="utf-8")
    done = subprocess.run(as_user([KIOSK, "--config", str(config), "session", "--", cage(), "-d", "--"]), env=headless_env(tmp_path),
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 78, done.stderr[-3000:]
    assert "baud" in done.stderr and "idcard" in done.stderr and "Traceback" not in done.stderr


def test_a_broken_config_file_ends_before_any_compositor(tmp_path: Path) -> None:
    config = tmp_path / "terminal.toml"
    config.write_text("[terminal\nid = 1\n", encoding="utf-8")
    never = tmp_path / "compositor-ran"
    done = subprocess.run([KIOSK, "--config", str(config), "session", "--", "sh", "-c", f"touch {never}", "--"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 78 and "configuration error" in done.stderr and not never.exists()


def test_an_app_that_cannot_report_is_a_failure(tmp_path: Path) -> None:
    """A compositor whose client never ran (or was killed before reporting) is not a clean exit: 1, restartable."""
    config = demo_config(tmp_path)
    done = subprocess.run([KIOSK, "--config", str(config), "session", "--", sys.executable, "-c", "import sys; sys.exit(0)"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
