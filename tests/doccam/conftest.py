"""Shared fixtures: generated scenes (small, seeded) and a sim-backed document camera."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass


def sim_spec(query: str = "scene=empty&width=640&height=360&fps=30&frames=16", **options: object) -> DeviceSpec:
    return DeviceSpec("doccam", DeviceClass.DOCUMENT_CAMERA, DeviceUrl.parse(f"sim:doccam?{query}"), timeout_s=10.0, options=dict(options))


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
async def doccam(bus: EventBus) -> AsyncIterator[object]:
    """The real service on the emulator (empty desk, 640×360 at 30 fps); tests place scenes."""
    device = build_device(sim_spec(), bus)
    opened = await device.open()
    assert opened.ok, opened.description
    yield device
    await device.close()
