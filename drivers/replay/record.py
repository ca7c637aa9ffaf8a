"""Recording one device: the header a session starts with, and the wrapper put into the driver's wire seam.

The seams: the 二代证 ``SerialLink.opener``, the 社保卡 ``ChipCardService.pcsc``, the receipt printer's
``EscPosPrinter.transport`` and the serial scanner's port (wrapped once it is open). The driver is
the one the URL names (``serial:``, ``pcsc:``, ``tcp:`` … or ``sim:``); it runs as it always does.
"""

from __future__ import annotations

from typing import Any, cast

from drivers.replay.wire import Recorder
from kiosk.terminal.device import DeviceService
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass

#: The classes whose wire can be recorded (and replayed with a ``replay:`` URL).
RECORDABLE = (DeviceClass.ID_CARD_READER, DeviceClass.CHIP_CARD_READER, DeviceClass.RECEIPT_PRINTER, DeviceClass.BARCODE_READER)


class NotRecordable(ValueError):
    """This device (class or driver) has no wire seam to record."""


def header_for(service: DeviceService, spec: DeviceSpec, action: str) -> dict[str, Any]:
    """What a replay needs to rebuild the driver: class, driver, options, transport facts; plus what was done."""
    settings = spec.settings.model_dump(mode="json") if spec.settings is not None else dict(spec.options)
    return {
        "device_class": spec.device_class.value,
        "driver": f"{spec.device_class.value}.{spec.url.scheme}",
        "url": spec.url.raw,
        "options": settings,
        "transport": _transport_facts(service),
        "action": action,
    }


def _transport_facts(service: DeviceService) -> dict[str, Any]:
    from drivers.idcard.service import IdCardService

    if isinstance(service, IdCardService):
        return {"port": service.link.port, "baudrate": service.link.baudrate}
    if service.device_class is DeviceClass.CHIP_CARD_READER:
        return {"reader": str(getattr(service, "reader", ""))}
    if service.device_class is DeviceClass.RECEIPT_PRINTER:
        return {"kind": str(getattr(getattr(service, "transport", None), "kind", ""))}
    if service.device_class is DeviceClass.BARCODE_READER:
        framer = getattr(service, "framer", None)
        return {"port": str(getattr(service, "port", "")), "baud": getattr(service, "baud", 0), "stale_s": getattr(framer, "stale_s", 0.5)}
    return {}


def seam_of(service: DeviceService) -> str:
    """Which wire seam ``service`` has (serial, pcsc, escpos, scanner); NotRecordable when none.

    Imports only the driver of the device's own class (pyscard, python-escpos, OpenCV are optional)."""
    cls = service.device_class
    if cls is DeviceClass.ID_CARD_READER:
        from drivers.idcard.service import IdCardService

        if isinstance(service, IdCardService):
            return "serial"
    elif cls is DeviceClass.CHIP_CARD_READER:
        from drivers.chipcard.service import ChipCardService

        if isinstance(service, ChipCardService):
            return "pcsc"
    elif cls is DeviceClass.RECEIPT_PRINTER:
        from drivers.printer.service import EscPosPrinter

        if isinstance(service, EscPosPrinter):
            return "escpos"
    elif cls is DeviceClass.BARCODE_READER:
        from drivers.barcode.service import SerialBarcodeReader

        if isinstance(service, SerialBarcodeReader):
            return "scanner"
    raise NotRecordable(f"{service.name}: {type(service).__name__} has no wire seam to record (recordable: "
                        f"{', '.join(c.value for c in RECORDABLE)}; the scanner over serial only)")


def attach(service: DeviceService, recorder: Recorder) -> None:
    """Put the recording wrapper into ``service``'s wire seam, before it is opened."""
    seam = seam_of(service)
    if seam == "serial":
        from drivers.idcard.service import IdCardService
        from drivers.replay.serial_wire import recording_opener

        assert isinstance(service, IdCardService)
        service.link.opener = recording_opener(recorder, service.link.opener)
    elif seam == "pcsc":
        from drivers.chipcard.service import ChipCardService
        from drivers.replay.pcsc_wire import RecordingPcsc

        assert isinstance(service, ChipCardService)
        service.pcsc = RecordingPcsc(service.pcsc, recorder)
    elif seam == "escpos":
        from drivers.printer.service import EscPosPrinter
        from drivers.replay.printer_wire import RecordingPrinterTransport

        assert isinstance(service, EscPosPrinter)
        service.transport = RecordingPrinterTransport(service.transport, recorder)
    # the serial scanner opens its port itself: attach_opened() wraps it


def attach_opened(service: DeviceService, recorder: Recorder) -> None:
    """After ``open()``: wrap the serial scanner's port, which its driver opened itself."""
    from drivers.barcode.service import SerialBarcodeReader

    if isinstance(service, SerialBarcodeReader) and service._serial is not None:
        import serial

        from drivers.replay.serial_wire import RecordingSerial

        recorder.op("open", port=service.port, baudrate=service.baud)
        service._serial = cast(serial.Serial, RecordingSerial(service._serial, recorder))
