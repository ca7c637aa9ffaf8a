"""Options of the A4 (CUPS) printer factories; durations in seconds."""

from __future__ import annotations

from pydantic import Field

from kiosk.terminal.options import DeviceOptions


class CupsOptions(DeviceOptions):
    """``cups:QUEUE?server=host:port&poll_s=0.2``."""

    server: str = Field("", description="CUPS server host:port; empty: CUPS_SERVER or localhost:631")
    print_timeout_s: float = Field(90.0, gt=0, description="seconds a job may take until completed")
    poll_s: float = Field(0.1, gt=0, description="seconds between job-state polls")
    fault_grace_s: float = Field(5.0, ge=0, description="seconds a printer fault may last before the job fails")
