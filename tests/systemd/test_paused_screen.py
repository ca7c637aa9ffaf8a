"""The paused unit's own command under a headless cage: the screen really shows 暂停服务, not black.

The ExecStart= of the rendered kiosk-paused.service (landscape: 1920x1080) is run as is (cage -d -- swayimg …
PNG), only the PNG path points at the checkout's copy (the unit's /usr/share path exists on an installed
terminal only). The headless output is 1280x720, so the screenshot shows the window's top-left part: it must
show the red band and dark text on the light ground, nothing black.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.admin.install import TEMPLATES, InstallPlan, render
from tests.system.cage import TOOLS, CageSession, colour_share

pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in (*TOOLS, "swayimg")), reason="cage/grim/swayimg missing")


def test_paused_screen_is_shown_under_cage(tmp_path: Path) -> None:
    plan = InstallPlan(exec_path="/usr/bin/kiosk", cage=shutil.which("cage") or "/usr/bin/cage", orientation="landscape")
    unit = render("kiosk-paused.service", plan)
    argv = next(line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("ExecStart=")).split()
    assert argv[-1] == "/usr/share/yukuaiban-kiosk/paused-landscape.png" and "--geometry=0,0,1920,1080" in argv
    argv[-1] = str(TEMPLATES / "paused-landscape.png")
    session = CageSession(argv, tmp_path)
    try:
        end, shot = time.monotonic() + 30, None
        while time.monotonic() < end:
            assert session.alive(), session.log()
            try:
                shot = session.screenshot("paused")
            except (subprocess.CalledProcessError, OSError, AssertionError):  # cage has no client yet, or grim no output
                shot = None
            if shot is not None and colour_share(shot, (0xF4, 0xF6, 0xF8), tolerance=12) > 0.6:
                break
            time.sleep(0.3)
        assert shot is not None, session.log()
        red = colour_share(shot, (0xC0, 0x39, 0x2B), tolerance=12)
        ground = colour_share(shot, (0xF4, 0xF6, 0xF8), tolerance=12)
        dark = sum(1 for p in shot.convert("L").tobytes() if p < 100) / (shot.width * shot.height)
        assert red > 0.01, (red, session.log())  # the band: this is the paused screen, not the attract screen or black
        assert ground > 0.6, ground  # the light ground fills the screen
        assert colour_share(shot, (0, 0, 0), tolerance=2) < 0.01  # no black: the window covers the whole output
        assert dark > 0.001, dark  # the text
    finally:
        session.stop()
