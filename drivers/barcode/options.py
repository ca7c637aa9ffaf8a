"""Options of the 渝快码 reader factories (serial scanner, camera + decoder, emulators)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from drivers.camera.options import SourceOptions
from kiosk.terminal.options import DeviceOptions

Decoder = Literal["zxing", "opencv", "aruco", "wechat"]


class SerialBarcodeOptions(DeviceOptions):
    """``serial:///dev/kiosk-qr?baud=9600``: a QR scanner that types codes onto a serial line."""

    baud: int = Field(9600, gt=0, description="serial speed in bit/s")
    terminator: Literal["any", "crlf", "cr", "lf"] = Field("any", description="line end the scanner sends")
    stale_ms: float = Field(500.0, gt=0, description="a partial line older than this (milliseconds) is dropped")


class CameraBarcodeOptions(SourceOptions):
    """``camera:///dev/video1?decoder=zxing``: QR codes decoded from a camera."""

    decoder: Decoder = Field("zxing", description="QR decoder")
