"""CancelToken: what every blocking device command polls between short I/O slices (kiosk.terminal.runner).

Why its own module: drivers import it; the runner that hands it out is a heavier module they do not need.
"""

from __future__ import annotations

import threading
import time

from kiosk.errors import CommandCanceled, DeviceTimeoutError


class CancelToken:
    """Handed to every blocking command; the driver polls it between short I/O slices."""

    def __init__(self, deadline: float, request_id: int = 0) -> None:
        self.deadline = deadline  # time.monotonic() value
        self.request_id = request_id
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str = "canceled") -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def check(self) -> None:
        """Raise if the command must stop now (canceled, or past its deadline)."""
        if self._event.is_set():
            raise CommandCanceled(self.reason)
        if time.monotonic() >= self.deadline:
            raise DeviceTimeoutError("deadline passed")

    def sleep(self, seconds: float) -> None:
        """Sleep, waking at once on cancel; raises like ``check()`` afterwards."""
        self._event.wait(min(seconds, self.remaining()))
        self.check()
