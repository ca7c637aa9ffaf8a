"""Options of ``sim:idcard`` (URL query or ``[devices.idcard.options]``): the real driver's plus the emulator's."""

from __future__ import annotations

from pydantic import Field

from drivers.idcard.options import IdCardOptions


class SimIdCardOptions(IdCardOptions):
    """``sim:idcard?card=zhangsan&wire=1&link=/tmp/ttyID``: the same driver against the SAM emulator."""

    card: str = Field("", description="demo card id on the reader at start; empty: none")
    cards: str = Field("", description="JSON card file; empty: the built-in demo cards")
    wire: bool = Field(False, description="pace bytes at the serial speed")
    link: str = Field("", description="symlink to create for the emulator's pty")
