"""The A4 printer emulator: a private cupsd whose queue writes each job to a file.

The real driver talks to it exactly as to a production CUPS server (``lp`` + IPP). The control
API is what the demo's developer panel and the tests use: inject a jam or paper-out, stop or
reject the queue, read back the printed PDFs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drivers.a4printer.service import CupsDocumentPrinter
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.cancel import CancelToken
from sim.devices.a4printer.cupsd import PrivateCupsd
from sim.devices.a4printer.options import SimCupsOptions

#: Emulator fault names → the printer-state reason the backend reports.
FAULTS = {"jam": "media-jam-error", "paper_out": "media-empty-error", "cover_open": "door-open-error", "toner_out": "toner-empty-error"}


class A4PrinterEmulator:
    """Owns one PrivateCupsd. ``start()``/``stop()`` are idempotent."""

    def __init__(self, queue: str = "kiosk-a4", paper: str = "ok") -> None:
        if paper not in ("ok", "out"):
            raise ValueError(f"paper must be ok or out, got {paper!r}")
        self.paper_at_boot = paper
        # Out of paper before the terminal started: CUPS already shows media-empty-error, and a job fails.
        self.cupsd = PrivateCupsd(queue=queue, reasons=("media-empty-error",) if paper == "out" else ())

    @property
    def queue(self) -> str:
        return self.cupsd.queue

    @property
    def server(self) -> str:
        return self.cupsd.server

    @property
    def running(self) -> bool:
        return self.cupsd.running

    def start(self) -> None:
        if not self.cupsd.running:
            self.cupsd.start()
            if self.paper_at_boot == "out":
                self.cupsd.set_fault(FAULTS["paper_out"])

    def stop(self) -> None:
        self.cupsd.stop()  # removes its tree; a later start() builds a fresh one on the same port

    # ----- faults ------------------------------------------------------------------------------
    def inject(self, fault: str | None) -> None:
        """``jam`` | ``paper_out`` | ``cover_open`` | ``toner_out`` on the next job; None clears it."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r} (known: {', '.join(FAULTS)})")
        self.cupsd.set_fault(FAULTS[fault] if fault else None)

    def run_out_mid_job(self, reason: str = "paper_out") -> None:
        """The printer runs out (or jams) during the next job and holds it, reporting the reason, until ``load_paper``."""
        self.cupsd.set_waiting(FAULTS[reason])

    def load_paper(self) -> None:
        """A technician loads paper: held jobs go on, the next job prints (CUPS clears the reason when one does)."""
        self.cupsd.set_waiting(None)
        self.cupsd.set_fault(None)

    def _tool(self, *args: str) -> None:
        done = self.cupsd.run_tool(*args)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()}")

    def stop_queue(self, reason: str = "stopped by technician") -> None:
        self._tool("cupsdisable", "-r", reason, self.queue)

    def resume_queue(self) -> None:
        """Clear the fault and restart the queue (what a technician does after clearing a jam)."""
        self.inject(None)
        self._tool("cupsenable", self.queue)
        self._tool("cupsaccept", self.queue)

    def reject_jobs(self) -> None:
        self._tool("cupsreject", self.queue)

    # ----- output ------------------------------------------------------------------------------
    def printed(self) -> list[Path]:
        return self.cupsd.jobs() if self.cupsd.running else []

    def last_job(self) -> bytes | None:
        jobs = self.printed()
        return jobs[-1].read_bytes() if jobs else None

    def snapshot(self) -> dict[str, Any]:
        return {"running": self.running, "server": self.server, "queue": self.queue, "jobs": len(self.printed())}


class SimDocumentPrinter(CupsDocumentPrinter):
    """The real CUPS driver pointed at its emulator, which lives as long as the device is open."""

    def __init__(self, name: str, bus: EventBus, emulator: A4PrinterEmulator, **kwargs: Any) -> None:
        super().__init__(name, bus, emulator.queue, emulator.server, **kwargs)
        self.emulator = emulator

    def _do_open(self, token: CancelToken) -> None:
        self.emulator.start()
        super()._do_open(token)

    def _do_close(self) -> None:
        super()._do_close()
        self.emulator.stop()


@takes_options(SimCupsOptions)
def build_sim(spec: DeviceSpec, bus: EventBus) -> SimDocumentPrinter:
    """``sim:a4printer?queue=kiosk-a4&paper=out`` — nothing starts until ``open()``."""
    opts = options_for(spec, SimCupsOptions)
    return SimDocumentPrinter(spec.name, bus, A4PrinterEmulator(queue=opts.queue, paper=opts.paper), print_timeout_s=opts.print_timeout_s,
                              poll_s=opts.poll_s, fault_grace_s=opts.fault_grace_s, default_timeout=spec.timeout_s)
