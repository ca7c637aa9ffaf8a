"""Real lockdown: under headless cage, the keys a citizen (or a forgotten keyboard) might press — F1, Esc,
Alt+F4, Alt+Tab, Ctrl+Alt+F2, Super (and F12, Ctrl+E: Kivy's screenshot and inspector keys) — leave the attract
screen as it was, and the app alive.

The negative control runs the same app with lockdown off (tests/system/unlocked_app.py): there F1 opens Kivy's
settings panel, which proves the injected keys reach the app. Keys and pointer go in through XTEST into cage's
Xwayland (cage 0.1.4 has no virtual-keyboard protocol; tests/system/cage.py). What cage itself does with
Ctrl+Alt+Fn (no VT switch: no ``-s``) is checked on the unit in tests/systemd/test_lockdown.py.

The long press (and the same keys from a real seat keyboard) are in test_lockdown_pointer.py: a seat pointer needs
cage's x11 backend, since XTEST pointer events into Xwayland reach no window on the headless seat.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.system.cage import MISSING, REPO, CageSession, changed_share, demo_config, looks_like_attract, wait_for_attract

pytestmark = [pytest.mark.system, pytest.mark.skipif(bool(MISSING), reason=f"not installed: {MISSING}")]

#: Screen share that may change between two shots of a still screen: the pulsing prompt and the clock.
STILL = 0.02
KEYS = ["F1", "Escape", "alt+F4", "alt+Tab", "ctrl+alt+F2", "super", "F12", "ctrl+e"]


def test_negative_control_without_lockdown_f1_opens_kivy_settings(tmp_path: Path) -> None:
    session = CageSession(["cage", "-d", "--", sys.executable, "-m", "tests.system.unlocked_app", str(demo_config(tmp_path))],
                          tmp_path, env={"PYTHONPATH": str(REPO), "KIVY_NO_ARGS": "1"})
    try:
        session.wait_for("READY=1", 45)
        before = wait_for_attract(session, "unlocked-before")
        session.focused_window()
        session.xdotool("key", "F1")  # once: F1 toggles the panel, a second press could close it again
        end = time.monotonic() + 15  # building the panel can take seconds on a loaded machine (software GL)
        after = settle(session, "unlocked-after-F1")
        while changed_share(before, after) <= 0.3 and time.monotonic() < end:
            after = settle(session, "unlocked-after-F1")
        assert changed_share(before, after) > 0.3, f"F1 changed only {changed_share(before, after):.1%}: did the key arrive?"
    finally:
        session.stop()


@pytest.fixture
def locked(booted: CageSession) -> CageSession:
    """The unit's session (conftest.py), on the attract screen with its X window focused."""
    booted.wait_for("READY=1", 45)
    wait_for_attract(booted, "locked-ready")
    booted.focused_window()  # keys sent before cage's X window manager focused the window would go nowhere
    return booted


def settle(session: CageSession, name: str) -> Image.Image:
    time.sleep(1.0)  # a settings panel or a screen switch is drawn within a frame or two; 1 s is generous
    assert session.app_alive(), f"the app exited after {name}; log:\n{session.log()}"
    return session.screenshot(name)


def test_keys_leave_the_attract_screen_as_it_was(locked: CageSession) -> None:
    before = wait_for_attract(locked, "keys-before")
    for key in KEYS:
        locked.xdotool("key", key)
        after = settle(locked, f"after-{key.replace('+', '-')}")
        assert not looks_like_attract(after), f"{key}: {looks_like_attract(after)}"
        assert changed_share(before, after) < STILL, f"{key} changed {changed_share(before, after):.1%} of the screen"
    time.sleep(4)  # anything slow to build (a settings panel took up to seconds in the negative control) shows by now
    after = settle(locked, "after-all-keys")
    assert changed_share(before, after) < STILL, f"after all keys {changed_share(before, after):.1%} of the screen changed"
    assert locked.alive()
