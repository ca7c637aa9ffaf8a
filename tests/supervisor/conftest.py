"""Fixtures: a SAM emulator on a pty behind a symlink (it can be unplugged and replugged), and a poller."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sim.devices.idcard.emulator import SamEmulator


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[SamEmulator]:
    emu = SamEmulator(link=str(tmp_path / "ttyIDCARD"))
    emu.start()
    yield emu
    emu.stop()


async def wait_until(predicate: Callable[[], bool], timeout: float) -> float | None:
    """Seconds until ``predicate`` held (polled every 10 ms), or None if it did not within ``timeout``."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while loop.time() - start < timeout:
        if predicate():
            return loop.time() - start
        await asyncio.sleep(0.01)
    return loop.time() - start if predicate() else None
