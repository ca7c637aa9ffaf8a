"""Options of ``sim:a4printer``: the private cupsd's queue and the job timings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kiosk.terminal.options import DeviceOptions


class SimCupsOptions(DeviceOptions):
    """``sim:a4printer?queue=kiosk-a4``: a private cupsd whose queue writes each job to a file."""

    queue: str = Field("kiosk-a4", min_length=1, description="queue name of the private cupsd")
    print_timeout_s: float = Field(30.0, gt=0, description="seconds a job may take until completed")
    poll_s: float = Field(0.05, gt=0, description="seconds between job-state polls")
    fault_grace_s: float = Field(5.0, ge=0, description="seconds a printer fault may last before the job fails")
    paper: Literal["ok", "out"] = Field("ok", description="out: the printer is out of paper at boot (media-empty-error)")
