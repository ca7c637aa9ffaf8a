"""Which driver serves which device class and URL scheme, as lazy "module:function" paths.

One line per (class, scheme). Factories take ``(spec: DeviceSpec, bus: EventBus)`` and return a
``DeviceService``; they must not open the device (``Terminal.start()`` calls ``open()``).
"""

from __future__ import annotations

from kiosk.terminal.status import DeviceClass

C = DeviceClass

DRIVERS: dict[tuple[DeviceClass, str], str] = {
    # drivers add their lines here, e.g.:
    # (C.ID_CARD_READER, "serial"): "drivers.idcard.service:build",
    # (C.ID_CARD_READER, "sim"): "drivers.idcard.service:build_sim",
    (C.ID_CARD_READER, "serial"): "drivers.idcard.service:build",
    (C.ID_CARD_READER, "sim"): "drivers.idcard.service:build_sim",
    (C.BARCODE_READER, "camera"): "drivers.barcode.service:build_camera",
    (C.BARCODE_READER, "serial"): "drivers.barcode.service:build_serial",
    (C.BARCODE_READER, "sim"): "drivers.barcode.service:build_sim",
    (C.CAMERA, "camera"): "drivers.camera.service:build_camera",
    (C.CAMERA, "sim"): "drivers.camera.service:build_sim",
    (C.SPEAKER, "espeak"): "drivers.speaker.service:build_espeak",
    (C.SPEAKER, "wav"): "drivers.speaker.service:build_wav",
    (C.SPEAKER, "sim"): "drivers.speaker.service:build_sim",
    (C.DOCUMENT_CAMERA, "file"): "drivers.doccam.factory:build",
    (C.DOCUMENT_CAMERA, "sim"): "drivers.doccam.factory:build_sim",
    (C.DOCUMENT_CAMERA, "uvc"): "drivers.doccam.factory:build",
    (C.DOCUMENT_PRINTER, "cups"): "drivers.a4printer.service:build",
    (C.DOCUMENT_PRINTER, "sim"): "drivers.a4printer.emulator:build_sim",
    (C.SCANNER, "sane"): "drivers.scanner.service:build",
    (C.SCANNER, "sim"): "drivers.scanner.emulator:build_sim",
    (C.RECEIPT_PRINTER, "tcp"): "drivers.printer.service:build",
    (C.RECEIPT_PRINTER, "serial"): "drivers.printer.service:build",
    (C.RECEIPT_PRINTER, "usb"): "drivers.printer.service:build",
    (C.RECEIPT_PRINTER, "file"): "drivers.printer.service:build",
    (C.RECEIPT_PRINTER, "sim"): "drivers.printer.service:build_sim",
    (C.CHIP_CARD_READER, "pcsc"): "drivers.chipcard.service:build",
    (C.CHIP_CARD_READER, "sim"): "drivers.chipcard.service:build_sim",
}
