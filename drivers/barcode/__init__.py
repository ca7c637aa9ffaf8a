"""渝快码 / 电子身份证 QR reader: camera frames (zxing-cpp by default), a serial scanner, or a USB HID keyboard-wedge scanner (evdev)."""

from drivers.barcode.service import (
    BarcodeService,
    CameraBarcodeReader,
    KeyboardWedgeReader,
    SerialBarcodeReader,
    build_camera,
    build_evdev,
    build_serial,
)

__all__ = ["BarcodeService", "CameraBarcodeReader", "KeyboardWedgeReader", "SerialBarcodeReader", "build_camera", "build_evdev", "build_serial"]
