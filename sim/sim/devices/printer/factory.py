"""``sim:printer?paper=58&status=near_end``: the real ESC/POS network driver against an in-process emulator."""

from __future__ import annotations

from drivers.printer.encoder import PrinterProfile
from drivers.printer.service import EscPosPrinter, _kwargs, _options
from drivers.printer.transport import EscposTransport
from kiosk.errors import ConfigError
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.runner import CancelToken
from sim.devices.printer.emulator import PrinterEmulator


class SimPrinter(EscPosPrinter):
    """The real network driver pointed at an in-process emulator on a free loopback port."""

    def _do_open(self, token: CancelToken) -> None:
        assert self.emulator is not None
        if not self.emulator.running:  # first open, or reopened after close() powered it off
            self.emulator.start()
            self.transport.printer.port = self.emulator.port
        super()._do_open(token)

    async def close(self) -> None:
        await super().close()  # stops polling and the device
        if self.emulator is not None:
            self.emulator.stop()


def build_sim(spec: DeviceSpec, bus: EventBus) -> EscPosPrinter:
    """``sim:printer?paper=58&status=near_end``: the emulator starts on open and stops on close."""
    from escpos import printer as ep

    opt = _options(spec)
    paper_dots = 384 if str(opt.get("paper", "80")).startswith("58") else 576
    emulator = PrinterEmulator("127.0.0.1", 0, job_dir=opt.get("job_dir") or None, width_dots=paper_dots)
    try:
        emulator.set_paper(str(opt.get("status", "ok")))
        profile = PrinterProfile.from_options(opt)
    except ValueError as exc:
        raise ConfigError(f"devices.{spec.name}: {exc}") from None
    service = SimPrinter(spec.name, bus, EscposTransport("tcp", ep.Network("127.0.0.1", 0), "simulated printer"), profile, **_kwargs(spec))
    service.emulator = emulator
    return service
