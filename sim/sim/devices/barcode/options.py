"""Options of ``sim:barcode``: which real driver the emulator feeds."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from drivers.barcode.options import Decoder
from kiosk.terminal.options import DeviceOptions


class SimBarcodeOptions(DeviceOptions):
    """``sim:barcode?via=camera&code=…``: the real drivers against the phone-screen, serial-scanner or keyboard-wedge emulator."""

    via: Literal["camera", "serial", "wedge"] = Field("camera", description="which real driver the emulator feeds (wedge: evdev on a FIFO)")
    code: str = Field("", description="code shown to the camera at start; empty: none")
    decoder: Decoder = Field("zxing", description="QR decoder (via=camera)")
