"""The scanner emulator: libsane's real ``test`` backend behind a private ``SANE_CONFIG_DIR``.

The driver talks to libsane exactly as in production; the emulator only owns the config dir
(a shared ``dll.conf`` with just ``test``, so init takes milliseconds instead of probing ~100 backends)
and a per-page fault plan that the driver applies as backend options: the test backend's
``read-return-value`` makes ``sane_read`` fail with JAMMED / COVER_OPEN / NO_DOCS like a real unit.
Its ADF is empty after 10 sheets; the next batch gets a fresh 10. Quirk of the test backend: a
flatbed scan on the same handle counts against the feeder (so 9 ADF sheets follow one flatbed scan).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from drivers.scanner.service import SaneScanner
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.cancel import CancelToken
from sim.devices.scanner.options import SimScannerOptions

PICTURES = {"black": "Solid black", "white": "Solid white", "color": "Color pattern", "grid": "Grid"}
_STATUS = {"jam": "SANE_STATUS_JAMMED", "cover_open": "SANE_STATUS_COVER_OPEN", "empty": "SANE_STATUS_NO_DOCS", "io_error": "SANE_STATUS_IO_ERROR", "busy": "SANE_STATUS_DEVICE_BUSY"}


class ScannerEmulator:
    """Control API: ``jam_at(page)``, ``set_cover_open(bool)``, ``load_feeder(n)``, ``empty_feeder()``,
    ``fail_once(status)``, ``set_slow(bool)``, ``set_picture(name)``.

    ``feeder``: sheets in the feeder (None: the backend's own endless supply of 10-sheet batches).
    With a count, the feeder stays empty once used up until ``load_feeder`` — like a real one.
    """

    def __init__(self, picture: str = "color", feeder: int | None = None) -> None:
        self._lock = threading.Lock()
        self._dir: Path | None = None
        self._picture = PICTURES[picture]
        self._jam_at: int | None = None  # 1-based sheet number that jams (in the next batch)
        self._cover_open = False
        self._sheets: int | None = feeder
        self._fail_once: str | None = None
        self._slow = False

    @property
    def config_dir(self) -> str:
        """The SANE_CONFIG_DIR of every sim scanner in this process (same content, so they can share
        one libsane init): a ``dll.conf`` naming only the ``test`` backend."""
        if self._dir is None:
            self._dir = Path(tempfile.gettempdir()) / f"kiosk-sane-sim-{os.getuid()}"
            self._dir.mkdir(mode=0o700, exist_ok=True)
            (self._dir / "dll.conf").write_text("test\n")
        return str(self._dir)

    def stop(self) -> None:
        """Forget the fault plan; the shared config dir stays (a few bytes, reused by the next sim)."""
        with self._lock:
            self._jam_at, self._cover_open, self._fail_once, self._slow = None, False, None, False

    # ----- faults ------------------------------------------------------------------------------
    def jam_at(self, page: int | None) -> None:
        """The ``page``-th sheet of the next scan jams (1 = the first); None clears."""
        with self._lock:
            self._jam_at = page

    def set_cover_open(self, is_open: bool) -> None:
        with self._lock:
            self._cover_open = is_open

    def load_feeder(self, sheets: int | None) -> None:
        """Put ``sheets`` in the feeder (None: endless batches of 10, the test backend's own)."""
        with self._lock:
            self._sheets = sheets

    def empty_feeder(self) -> None:
        self.load_feeder(0)

    @property
    def sheets_left(self) -> int | None:
        return self._sheets

    def fail_once(self, status: str) -> None:
        """``io_error`` | ``busy`` | ``jam`` | ``cover_open`` | ``empty`` on the next sheet only."""
        if status not in _STATUS:
            raise ValueError(f"unknown status {status!r} (known: {', '.join(_STATUS)})")
        with self._lock:
            self._fail_once = status

    def set_slow(self, slow: bool) -> None:
        """Deliver sheets in 4 KB pieces 20 ms apart, like a slow USB scanner (a 300 dpi page ≈ minutes)."""
        with self._lock:
            self._slow = slow

    def set_picture(self, name: str) -> None:
        with self._lock:
            self._picture = PICTURES[name]

    def snapshot(self) -> dict[str, Any]:
        return {"jam_at": self._jam_at, "cover_open": self._cover_open, "feeder": self._sheets, "picture": self._picture}

    # ----- what the driver asks before each sheet ----------------------------------------------
    def page_options(self, index: int, source: str) -> dict[str, Any]:
        with self._lock:
            status = "Default"
            if self._fail_once:
                status, self._fail_once = _STATUS[self._fail_once], None
            elif self._cover_open:
                status = _STATUS["cover_open"]
            elif source == "adf" and self._sheets is not None and self._sheets <= 0:
                status = _STATUS["empty"]
            elif self._jam_at is not None and index + 1 == self._jam_at:
                status, self._jam_at = _STATUS["jam"], None  # a cleared jam does not come back
            if source == "adf" and self._sheets is not None and status == "Default":
                self._sheets -= 1
            speed: dict[str, Any] = {"read_limit": True, "read_limit_size": 4096, "read_delay": True, "read_delay_duration": 20000} if self._slow else {"read_limit": False, "read_delay": False}
            return {"test_picture": self._picture, "read_return_value": status, **speed}


class SimScanner(SaneScanner):
    """The real SANE driver on the test backend; the emulator's config dir lives while it is open."""

    def __init__(self, name: str, bus: EventBus, emulator: ScannerEmulator, device_name: str = "test:0", **kwargs: Any) -> None:
        super().__init__(name, bus, device_name, page_options=emulator.page_options, **kwargs)
        self.emulator = emulator

    def _do_open(self, token: CancelToken) -> None:
        self.config_dir = self.emulator.config_dir
        super()._do_open(token)

    def _do_close(self) -> None:
        super()._do_close()
        self.emulator.stop()


@takes_options(SimScannerOptions)
def build_sim(spec: DeviceSpec, bus: EventBus) -> SimScanner:
    """``sim:scanner?picture=color&device=test:0&feeder=10`` (feeder omitted: endless 10-sheet batches)."""
    opts = options_for(spec, SimScannerOptions)
    emulator = ScannerEmulator(opts.picture, opts.feeder)
    return SimScanner(spec.name, bus, emulator, opts.device, jpeg_quality=opts.jpeg_quality, default_timeout=spec.timeout_s)
