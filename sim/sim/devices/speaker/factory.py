"""``sim:speaker``: the real speaker driver writing WAVs into the emulator's temp dir."""

from __future__ import annotations

from drivers.speaker.service import SpeakerService, voice_kwargs
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from sim.devices.speaker.emulator import SpeakerEmulator
from sim.devices.speaker.options import SimSpeakerOptions


@takes_options(SimSpeakerOptions)
def build_sim(spec: DeviceSpec, bus: EventBus) -> SpeakerService:
    """The real driver writing WAVs into the emulator's temp dir; ``service.emulator.spoken``."""
    opts = options_for(spec, SimSpeakerOptions)
    emulator = SpeakerEmulator()
    service = SpeakerService(spec.name, bus, emulator, **voice_kwargs(spec, opts))
    service.emulator = emulator
    return service
