"""``sim:barcode?via=camera|serial|wedge&code=…``: the real barcode drivers against the QR screen / pty scanner / evdev FIFO emulators."""

from __future__ import annotations

from drivers.barcode.service import BarcodeService, CameraBarcodeReader, KeyboardWedgeReader, SerialBarcodeReader
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from sim.devices.barcode.emulator import QrScreenEmulator, ScannerEmulator
from sim.devices.barcode.options import SimBarcodeOptions
from sim.devices.barcode.wedge import WedgeEmulator


class SimSerialBarcodeReader(SerialBarcodeReader):
    """The real serial driver on the pty scanner emulator, which it closes with the port."""

    def _do_close(self) -> None:
        super()._do_close()
        if isinstance(self.emulator, ScannerEmulator):
            self.emulator.close()


class SimWedgeReader(KeyboardWedgeReader):
    """The real evdev driver on the wedge emulator's FIFO, which it closes with the device."""

    def _do_close(self) -> None:
        super()._do_close()
        if isinstance(self.emulator, WedgeEmulator):
            self.emulator.close()


@takes_options(SimBarcodeOptions)
def build_sim(spec: DeviceSpec, bus: EventBus) -> BarcodeService:
    """The real drivers against the emulators; ``service.emulator`` drives them."""
    opts = options_for(spec, SimBarcodeOptions)
    service: BarcodeService
    if opts.via == "serial":
        scanner = ScannerEmulator()
        service = SimSerialBarcodeReader(spec.name, bus, scanner.port, default_timeout=spec.timeout_s)
        service.emulator = scanner
        return service
    if opts.via == "wedge":
        wedge = WedgeEmulator()
        service = SimWedgeReader(spec.name, bus, str(wedge.path), default_timeout=spec.timeout_s)
        service.emulator = wedge
        return service
    screen = QrScreenEmulator(opts.code)
    service = CameraBarcodeReader(spec.name, bus, screen, decoder=opts.decoder, default_timeout=spec.timeout_s)
    service.emulator = screen
    return service
