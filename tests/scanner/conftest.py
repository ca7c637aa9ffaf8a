"""Scanners under test: the real SANE driver on libsane's ``test`` backend (no service to start)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass
from sim.devices.scanner.emulator import SimScanner


def scanner_spec(url: str, **options: object) -> DeviceSpec:
    return DeviceSpec("scanner", DeviceClass.SCANNER, DeviceUrl.parse(url), timeout_s=20.0, options=dict(options))


@pytest.fixture
async def sim_scanner() -> AsyncIterator[SimScanner]:
    device = build_device(scanner_spec("sim:scanner"), EventBus())
    assert isinstance(device, SimScanner), getattr(device, "reason", device)
    opened = await device.open()
    assert opened.ok, opened.description
    yield device
    await device.close()
