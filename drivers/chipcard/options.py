"""Options of the 社保卡 (PC/SC) reader factories; the URL query or ``[devices.chipcard.options]``."""

from __future__ import annotations

from pydantic import Field

from kiosk.terminal.options import DeviceOptions


class ChipCardOptions(DeviceOptions):
    """``pcsc:?reader=NAME``: a reader through the system's pcscd."""

    reader: str = Field("", description="exact PC/SC reader name or a part of it; empty: the first reader with a card")
