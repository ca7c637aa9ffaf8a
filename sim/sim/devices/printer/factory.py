"""``sim:printer?paper=58&status=near_end`` (``presenter=true&take_after_s=2`` for a kiosk head with a
presenter): the real ESC/POS network driver against an in-process emulator."""

from __future__ import annotations

from drivers.printer.encoder import PrinterProfile
from drivers.printer.service import EscPosPrinter, printer_kwargs
from drivers.printer.transport import EscposTransport
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.cancel import CancelToken
from sim.devices.printer.emulator import PrinterEmulator
from sim.devices.printer.options import SimPrinterOptions


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


@takes_options(SimPrinterOptions)
def build_sim(spec: DeviceSpec, bus: EventBus) -> EscPosPrinter:
    """``sim:printer?paper_mm=58&status=near_end``: the emulator starts on open and stops on close."""
    from escpos import printer as ep

    opt = options_for(spec, SimPrinterOptions)
    emulator = PrinterEmulator("127.0.0.1", 0, job_dir=opt.job_dir or None, width_dots=384 if opt.paper_mm == 58 else 576)
    emulator.set_paper(opt.status)
    emulator.set_presenter(opt.presenter, opt.take_after_s)
    profile = PrinterProfile.from_options(opt)
    transport = EscposTransport("tcp", ep.Network("127.0.0.1", 0), "simulated printer")
    service = SimPrinter(spec.name, bus, transport, profile, **printer_kwargs(spec, opt))
    service.emulator = emulator
    return service
