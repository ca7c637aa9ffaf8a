"""``sim:idcard?card=zhangsan&wire=1``: the real ID card driver against the in-process SAM emulator."""

from __future__ import annotations

from typing import Any

from drivers.idcard.service import IdCardService, service_kwargs
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.cancel import CancelToken
from sim.devices.idcard.emulator import SamEmulator, load_cards
from sim.devices.idcard.options import SimIdCardOptions


class SimIdCardService(IdCardService):
    """The real driver against an in-process ``SamEmulator`` (``service.emulator`` drives it)."""

    def __init__(self, name: str, bus: EventBus, emulator: Any, initial_card: str = "", **kwargs: Any) -> None:
        super().__init__(name, bus, port=emulator.link or "", **kwargs)
        self.emulator = emulator
        self._initial_card = initial_card

    def _do_open(self, token: CancelToken) -> None:
        if not self.emulator.running:
            self.link.port = self.emulator.start()
            if self._initial_card:
                self.emulator.insert(self._initial_card)
                self._initial_card = ""
        super()._do_open(token)

    def _connect(self, token: CancelToken) -> None:
        self.link.port = self.emulator.path or self.link.port  # a replugged pty without a symlink has a new name
        super()._connect(token)

    async def close(self) -> None:
        await super().close()
        self.emulator.stop()


@takes_options(SimIdCardOptions)
def build_sim(spec: DeviceSpec, bus: EventBus) -> SimIdCardService:
    """``sim:idcard?card=zhangsan&wire=1`` → the driver against the emulator (started by open())."""
    opts = options_for(spec, SimIdCardOptions)
    emulator = SamEmulator(load_cards(opts.cards or None), wire_speed=opts.wire, link=opts.link or None)
    return SimIdCardService(spec.name, bus, emulator, opts.card, **service_kwargs(spec, opts))
