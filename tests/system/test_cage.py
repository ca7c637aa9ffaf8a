"""The terminal boots under the real compositor: kiosk.service's ExecStart, as ``kiosk install-service`` renders
it, under headless cage (Xwayland, software GL) sends READY=1, then WATCHDOG=1, and the screen shows the
attract screen. How cage runs headless here, and why as uid 1000 in a user namespace: tests/system/cage.py.
"""

from __future__ import annotations

import pytest

from tests.system.cage import BACKGROUND, MISSING, CageSession, colour_share, wait_for_attract

pytestmark = [pytest.mark.system, pytest.mark.skipif(bool(MISSING), reason=f"not installed: {MISSING}")]


def test_unit_command_under_cage_is_ready_pings_and_shows_attract(booted: CageSession) -> None:
    """``booted`` (conftest.py): one cage session for tests/system, started from the rendered unit."""
    ready = booted.wait_for("READY=1", 45)
    first_ping = booted.wait_for("WATCHDOG=1", 10, after=ready)
    attract = wait_for_attract(booted, "boot-attract")
    assert booted.app_alive()
    print(f"READY after {ready - booted.started:.1f} s, first WATCHDOG=1 {first_ping - ready:.1f} s later; "
          f"attract {attract.size} background {colour_share(attract, BACKGROUND):.0%}")
