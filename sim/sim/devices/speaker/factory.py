"""``sim:speaker``: the real speaker driver writing WAVs into the emulator's temp dir."""

from __future__ import annotations

from drivers.speaker.service import SpeakerService, _kwargs, _options
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec
from sim.devices.speaker.emulator import SpeakerEmulator


def build_sim(spec: DeviceSpec, bus: EventBus) -> SpeakerService:
    """The real driver writing WAVs into the emulator's temp dir; ``service.emulator.spoken``."""
    opts = _options(spec)
    emulator = SpeakerEmulator()
    service = SpeakerService(spec.name, bus, emulator, **_kwargs(spec, opts))
    service.emulator = emulator
    return service
