"""``sim:chipcard?person=zhangsan`` (or ``technician=tech01``, ``card=none``): the real PC/SC driver on our virtual card via vpcd."""

from __future__ import annotations

from drivers.chipcard.service import ChipCardService
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from sim.devices.chipcard.backend import SimBackend
from sim.devices.chipcard.options import SimChipCardOptions


@takes_options(SimChipCardOptions)
def build_sim(spec: DeviceSpec, bus: EventBus) -> ChipCardService:
    """``sim:chipcard?person=zhangsan`` (or ``technician=tech01``, ``card=none``): our virtual card via vpcd.

    Starts a private pcscd on open if none runs (and stops it on close), then puts the card on slot 0.
    """
    sim = SimBackend.from_options(options_for(spec, SimChipCardOptions))
    return ChipCardService(spec.name, bus, reader=sim.reader, default_timeout=spec.timeout_s, sim=sim)
