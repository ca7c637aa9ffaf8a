"""The terminal's view of platform time: an offset learnt from signed answers, applied to signing timestamps.

A terminal whose clock is minutes off would fail every signed call (the platform's replay window is ±300 s). Each
verified answer carries ``X-Platform-Time`` under the platform's signature, bound to our own nonce, so it cannot be
replayed or forged: the offset from it (against the midpoint of the exchange) is applied to every later timestamp,
and a skew beyond ``REPORT_S`` is reported (heartbeat ``clock``, an alert) so somebody fixes the time source.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: Below this the offset is not moved: X-Platform-Time has one-second resolution.
TOLERANCE_S = 2.0
#: Beyond this the skew is reported as a fault of the terminal's time sync.
REPORT_S = 30.0


@dataclass(frozen=True)
class ClockState:
    offset_s: float
    synced_at: int | None
    skew_detected: bool

    def to_dict(self) -> dict[str, object]:
        return {"offset_s": round(self.offset_s, 1), "synced_at": self.synced_at, "skew_detected": self.skew_detected}


class PlatformClock:
    def __init__(self, local: Callable[[], float] = time.time) -> None:
        self.local = local
        self._lock = threading.Lock()
        self._state = ClockState(0.0, None, False)

    def now(self) -> float:
        """Platform time as best known: the local clock plus the learnt offset."""
        return self.local() + self._state.offset_s

    def state(self) -> ClockState:
        return self._state

    def observe(self, platform_time: int, sent_at: float, received_at: float) -> bool:
        """Learn from one verified answer; True when the offset moved (the caller may then retry a stale request)."""
        measured = platform_time + 0.5 - (sent_at + received_at) / 2  # X-Platform-Time is truncated to the second
        with self._lock:
            old = self._state
            moved = abs(measured - old.offset_s) > TOLERANCE_S
            offset = measured if moved else old.offset_s
            self._state = ClockState(offset, int(received_at + offset) if moved or old.synced_at is None else old.synced_at,
                                     abs(offset) > REPORT_S)
        if moved:
            level = logging.WARNING if abs(measured) > REPORT_S else logging.INFO
            log.log(level, "terminal clock is %+.0f s from the platform's signed time: signing with platform time from now on", -measured)
        return moved
