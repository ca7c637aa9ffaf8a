"""渝快码 / 电子身份证 QR reader: camera frames (zxing-cpp by default) or a serial scanner."""

from drivers.barcode.service import BarcodeService, CameraBarcodeReader, SerialBarcodeReader, build_camera, build_serial

__all__ = ["BarcodeService", "CameraBarcodeReader", "SerialBarcodeReader", "build_camera", "build_serial"]
