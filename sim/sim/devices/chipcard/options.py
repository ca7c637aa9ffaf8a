"""Options of ``sim:chipcard``: which virtual card sits on the vpcd reader."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from kiosk.terminal.options import DeviceOptions


class SimChipCardOptions(DeviceOptions):
    """``sim:chipcard?person=zhangsan`` | ``technician=tech01`` | ``card=none``: the virtual card behind vpcd."""

    person: str = Field("zhangsan", description="demo person whose card is inserted")
    technician: str = Field("", description="insert this technician's maintenance card instead")
    card: Literal["", "none"] = Field("", description="none: the reader starts empty")
    chunk: int | None = Field(None, gt=0, description="answer in GET RESPONSE pieces of this many bytes")
    slot: Literal[0, 1] = Field(0, description="vpcd slot (TCP 35963 | 35964)")

    @model_validator(mode="before")
    @classmethod
    def _slot_from_text(cls, values: dict[str, object]) -> dict[str, object]:
        if isinstance(values, dict) and isinstance(values.get("slot"), str) and str(values["slot"]).isdigit():
            return {**values, "slot": int(str(values["slot"]))}  # Literal[0, 1] does not parse query text
        return values
