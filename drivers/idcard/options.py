"""Options of the 二代证 reader factories (URL query or ``[devices.idcard.options]``); units in the names."""

from __future__ import annotations

from pydantic import Field

from kiosk.terminal.options import DeviceOptions


class IdCardOptions(DeviceOptions):
    """``serial:///dev/kiosk-idcard?baud=115200``: the SAM reader on a serial port (or USB CDC)."""

    baud: int = Field(115200, gt=0, description="serial speed in bit/s (the SAM's default is 115200)")
    port: str = Field("", description="serial port when the URL names none")
    control_timeout_s: float = Field(1.0, gt=0, description="seconds to wait for reset / SAM status / SAM id answers")
    find_timeout_s: float = Field(1.0, gt=0, description="seconds to wait for find / select card answers")
    read_timeout_s: float = Field(3.5, gt=0, description="seconds to wait for the card data")
    extra_address: bool = Field(True, description="also read the additional address (追加住址)")
    wlt_decoder: str = Field("", description="'module:function' turning the WLT photo into BMP/JPEG bytes; empty: no photo")
