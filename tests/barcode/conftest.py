"""Fixtures: the real barcode drivers against their emulators (pty scanner, rendered frames)."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from drivers.barcode.service import BarcodeService
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass


def make_reader(url: str, bus: EventBus | None = None, timeout_s: float = 5.0) -> BarcodeService:
    """Through the registry, as the terminal builds it (exercises the driver table line too)."""
    spec = DeviceSpec("barcode", DeviceClass.BARCODE_READER, DeviceUrl.parse(url), timeout_s=timeout_s)
    service = build_device(spec, bus or EventBus())
    assert isinstance(service, BarcodeService)
    return service


@pytest.fixture
async def serial_reader() -> AsyncIterator[BarcodeService]:
    service = make_reader("sim:barcode?via=serial")
    assert (await service.open()).ok
    yield service
    await service.close()


@pytest.fixture
async def camera_reader() -> AsyncIterator[BarcodeService]:
    service = make_reader("sim:barcode")
    assert (await service.open()).ok
    yield service
    await service.close()
