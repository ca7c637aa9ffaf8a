"""Fixtures: a SAM emulator on a pty behind a symlink, and the real driver opened on it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest

from drivers.idcard.sam import Timeouts
from drivers.idcard.service import IdCardService
from kiosk.terminal.events import EventBus
from sim.devices.idcard.emulator import SamEmulator


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[SamEmulator]:
    emu = SamEmulator(link=str(tmp_path / "ttyIDCARD"))
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
async def service(emulator: SamEmulator, bus: EventBus) -> AsyncIterator[IdCardService]:
    svc = IdCardService("idcard", bus, emulator.path, timeouts=Timeouts(0.5, 0.5, 1.0), default_timeout=3.0)
    opened = await svc.open()
    assert opened.ok, opened.description
    yield svc
    await svc.close()


async def _wait_for(predicate, timeout: float = 3.0, step: float = 0.02) -> bool:
    """Poll ``predicate`` until true or ``timeout``; returns its last value."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if predicate():
            return True
        await asyncio.sleep(step)
    return bool(predicate())


@pytest.fixture
def wait_for():
    """``await wait_for(predicate, timeout)``: poll until true (events arrive from other threads)."""
    return _wait_for
