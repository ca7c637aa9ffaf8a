"""Options of the ESC/POS receipt printer factories; units in the names (paper width in mm)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, ConfigDict, Field, field_validator

from kiosk.terminal.options import DeviceOptions


class PrinterOptions(DeviceOptions):
    """``tcp://host:9100``, ``serial:///dev/ttyS1?baud=9600``, ``usb:?vid=0x0416&pid=0x5011``, ``file:///dev/usb/lp0``."""

    model_config = ConfigDict(populate_by_name=True)  # paper_mm and its old name paper both read

    paper_mm: Literal[58, 80] = Field(default=80, validation_alias=AliasChoices("paper_mm", "paper"),
                                      description="paper width in mm: 58 (32 columns) or 80 (48 columns); 'paper' is the old name")
    encoding: Literal["gb18030", "gbk", "utf-8"] = Field("gb18030", description="what the head's Chinese font expects")
    font_charset: Literal["gb2312", "gbk", "gb18030"] | None = Field(
        None, description="what the head's resident font draws; lines with other characters print as pictures (default: the encoding's)")
    qr: Literal["native", "image"] = Field("native", description="native (GS ( k) or image (raster fallback)")
    cutter: bool = Field(True, description="false: feed instead of cutting (tear-off heads)")
    status_timeout_s: float = Field(0.3, gt=0, description="seconds to wait for each DLE EOT answer")
    require_status: bool = Field(True, description="a head that does not answer DLE EOT is offline and refused; false: a head "
                                 "without a return channel, printed to blind (status unknown)")
    presenter: bool = Field(False, description="the head has a paper presenter that reports a waiting receipt (DLE EOT 20)")
    take_timeout_s: float = Field(15.0, ge=0, description="presenter: seconds a print waits for the citizen to take the receipt")
    logo: str = Field("", description="picture file printed on top of every receipt; empty: none")
    baud: int = Field(9600, gt=0, description="serial: speed in bit/s")
    dsrdtr: bool = Field(True, description="serial: hardware flow control")
    vid: int | None = Field(None, ge=0, le=0xFFFF, description="usb: vendor id (hex, e.g. 0x0416)")
    pid: int | None = Field(None, ge=0, le=0xFFFF, description="usb: product id (hex, e.g. 0x5011)")
    in_ep: int = Field(0x82, ge=0, le=0xFF, description="usb: IN endpoint (hex)")
    out_ep: int = Field(0x01, ge=0, le=0xFF, description="usb: OUT endpoint (hex)")

    @field_validator("paper_mm", mode="before")
    @classmethod
    def _paper_number(cls, value: object) -> object:
        text = str(value).removesuffix("mm")
        return int(text) if text.isdigit() else value

    @field_validator("encoding", mode="before")
    @classmethod
    def _encoding_name(cls, value: object) -> object:
        return str(value).lower().replace("utf8", "utf-8") if isinstance(value, str) else value

    @field_validator("vid", "pid", "in_ep", "out_ep", mode="before")
    @classmethod
    def _hex(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return int(value, 16)
            except ValueError:
                raise ValueError(f"not a hex number: {value!r}") from None
        return value
