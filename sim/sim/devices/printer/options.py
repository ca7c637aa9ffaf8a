"""Options of ``sim:printer``: the real printer's plus the emulated paper state and job files."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from drivers.printer.options import PrinterOptions


class SimPrinterOptions(PrinterOptions):
    """``sim:printer?paper_mm=58&status=near_end``: the network driver against the in-process emulator."""

    status: Literal["ok", "near_end", "out"] = Field("ok", description="paper state at start")
    job_dir: str = Field("", description="save each job as a .bin file here; empty: not saved")
    take_after_s: float = Field(2.0, ge=0, description="presenter=true: the emulated citizen takes each receipt after this long; 0: never")
