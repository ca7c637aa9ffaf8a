"""The suite's own cupsd: each device under test starts a private one (≈ 20 ms) and stops it on close."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass
from sim.devices.a4printer.emulator import SimDocumentPrinter


def a4_spec(url: str, **options: object) -> DeviceSpec:
    return DeviceSpec("a4printer", DeviceClass.DOCUMENT_PRINTER, DeviceUrl.parse(url), timeout_s=10.0, options=dict(options))


@pytest.fixture
async def sim_printer() -> AsyncIterator[SimDocumentPrinter]:
    device = build_device(a4_spec("sim:a4printer"), EventBus())
    assert isinstance(device, SimDocumentPrinter)
    opened = await device.open()
    assert opened.ok, opened.description
    yield device
    await device.close()
    assert not device.emulator.running
