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


class EvdevBarcodeOptions(DeviceOptions):
    """``evdev:///dev/input/by-id/usb-Scanner-event-kbd`` or ``evdev:?match=Honeywell``: a USB HID
    keyboard-wedge scanner read from its input event device (drivers/barcode/evdev.py)."""

    match: str = Field("", description="find the first '*MATCH*-event-kbd' in the URL's directory (default /dev/input/by-id)")
    terminator: Literal["enter", "tab", "any"] = Field("enter", description="key the scanner ends each code with")
    layout: Literal["us"] = Field("us", description="keyboard layout the scanner is programmed for (US is the only map)")
    grab: bool = Field(True, description="take the device exclusively (EVIOCGRAB) so its keystrokes never reach the screen")
    require_grab: bool = Field(False, description="a device that cannot be grabbed is no_device (default: online, reported)")
    stale_ms: float = Field(500.0, gt=0, description="a partial code older than this (milliseconds) is dropped")
