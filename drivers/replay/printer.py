"""``printer.replay``: the real ESC/POS driver (encoder, DLE EOT status logic) over a recorded byte pipe."""

from __future__ import annotations

from drivers.printer.encoder import PrinterProfile
from drivers.printer.options import PrinterOptions
from drivers.printer.service import EscPosPrinter, printer_kwargs
from drivers.replay.cursor import ReplayCursor
from drivers.replay.printer_wire import ReplayPrinterTransport
from drivers.replay.spec import ReplayOptions, driver_options, recording_for, transport_facts
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass


class ReplayedPrinter(EscPosPrinter):
    """``replay`` is the cursor; the transport kind (tcp/serial/usb/file) is the recorded one, so status reads match."""

    replay: ReplayCursor


@takes_options(ReplayOptions)
def build(spec: DeviceSpec, bus: EventBus) -> ReplayedPrinter:
    recording, opts = recording_for(spec, DeviceClass.RECEIPT_PRINTER)
    printer_opts = driver_options(recording, PrinterOptions)
    cursor = ReplayCursor(recording, opts.speed)
    transport = ReplayPrinterTransport(cursor, str(transport_facts(recording).get("kind", "tcp")))
    service = ReplayedPrinter(spec.name, bus, transport, PrinterProfile.from_options(printer_opts), **printer_kwargs(spec, printer_opts))
    service.replay = cursor
    return service
