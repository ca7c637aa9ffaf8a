"""Options of ``sim:scanner``: the emulated picture, SANE device name and feeder."""

from __future__ import annotations

from pydantic import Field

from kiosk.terminal.options import DeviceOptions


class SimScannerOptions(DeviceOptions):
    """``sim:scanner?picture=color&device=test:0&feeder=10`` (feeder omitted: endless 10-sheet batches)."""

    picture: str = Field("color", description="test picture the emulator scans")
    device: str = Field("test:0", description="SANE device name of the emulated backend")
    feeder: int | None = Field(None, ge=0, description="sheets in the feeder; omitted: endless batches")
    jpeg_quality: int = Field(85, ge=1, le=100, description="JPEG quality of each page (1–100)")
