"""Real lockdown, the pointer: under cage with a real seat pointer, a long press on the attract screen (away from
the item buttons and the hidden maintenance corner) leaves it as it was, while a plain tap on the same spot starts a
session — the positive control that proves the press reaches the app.

The seat is a private Xvfb that cage's wlroots x11 backend draws on and takes its pointer from
(tests/system/cage.py ``SeatDisplay``): presses go xdotool → Xvfb → cage's seat (wl_pointer) → Xwayland → the app,
the path a touch screen's events take through the compositor. (XTEST into Xwayland reaches no window: Xwayland
has no pointer focus on a seat without a pointer, which is what the headless backend gives.)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.system.cage import MISSING, REPO, CageSession, SeatDisplay, changed_share, demo_config, looks_like_attract, start_unit, wait_for_attract

pytestmark = [pytest.mark.system, pytest.mark.skipif(bool(MISSING + (["Xvfb"] if not Path("/usr/bin/Xvfb").exists() else [])),
                                                     reason=f"not installed: {MISSING}")]

STILL = 0.02  # screen share that may change between two shots of a still screen (the pulsing prompt)
HOLD_S = "3"  # a long press: far past any tap, as a leaning hand or a bag on the glass


@pytest.fixture
def seated(tmp_path: Path) -> Iterator[CageSession]:
    session = start_unit(tmp_path, seat=SeatDisplay())
    try:
        session.wait_for("READY=1", 60)
        yield session
    finally:
        session.stop()


def blank_spot(session: CageSession) -> tuple[str, str]:
    """The middle of the screen's upper band: the hall title and prompt, no button (items sit lower)."""
    shot = session.screenshot("spot")
    return str(shot.width // 2), str(shot.height // 6)


def test_a_long_press_leaves_attract_and_a_tap_starts(seated: CageSession) -> None:
    before = wait_for_attract(seated, "pointer-before")
    x, y = blank_spot(seated)
    seated.seat_input("mousemove", x, y, "mousedown", "1", "sleep", HOLD_S, "mouseup", "1")
    time.sleep(2)
    after = seated.screenshot("after-long-press")
    assert seated.app_alive()
    assert not looks_like_attract(after), looks_like_attract(after)
    assert changed_share(before, after) < STILL, f"a long press changed {changed_share(before, after):.1%} of the screen"

    seated.seat_input("mousemove", x, y, "click", "1")  # the control: the same spot, tapped, starts a session
    end = time.monotonic() + 15
    while looks_like_attract(seated.screenshot("after-tap")) == "" and time.monotonic() < end:
        time.sleep(0.5)
    assert looks_like_attract(seated.screenshot("after-tap")), "a tap did not reach the app: the long press proved nothing"


KEYS = ["F1", "Escape", "alt+F4", "alt+Tab", "ctrl+alt+F2", "super", "F12", "ctrl+e"]


def test_keys_through_the_compositor_leave_attract(seated: CageSession) -> None:
    """The same keys as test_lockdown_keys.py, but from cage's seat keyboard: cage sees them first (Ctrl+Alt+F2
    would switch VT with ``-s``), then Xwayland and the app."""
    before = wait_for_attract(seated, "seat-keys-before")
    seated.focused_window()
    for key in KEYS:
        seated.seat_input("key", key)
        time.sleep(1.0)
        assert seated.app_alive(), f"the app exited after {key}; log:\n{seated.log()}"
        after = seated.screenshot(f"seat-after-{key.replace('+', '-')}")
        assert changed_share(before, after) < STILL, f"{key} changed {changed_share(before, after):.1%} of the screen"
    assert seated.alive()


def test_negative_control_seat_keys_reach_an_unlocked_app(tmp_path: Path) -> None:
    """Without lockdown, F1 from the seat keyboard opens Kivy's settings panel: the seat's keys do reach the app."""
    session = CageSession(["cage", "-d", "--", sys.executable, "-m", "tests.system.unlocked_app", str(demo_config(tmp_path))],
                          tmp_path, env={"PYTHONPATH": str(REPO), "KIVY_NO_ARGS": "1"}, seat=SeatDisplay())
    try:
        session.wait_for("READY=1", 60)
        before = wait_for_attract(session, "seat-unlocked-before")
        session.focused_window()
        session.seat_input("key", "F1")
        end = time.monotonic() + 15
        after = session.screenshot("seat-unlocked-after-F1")
        while changed_share(before, after) <= 0.3 and time.monotonic() < end:
            time.sleep(1.0)
            after = session.screenshot("seat-unlocked-after-F1")
        assert changed_share(before, after) > 0.3, f"F1 changed only {changed_share(before, after):.1%}: did the key arrive?"
    finally:
        session.stop()
