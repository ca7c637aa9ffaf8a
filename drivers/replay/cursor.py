"""The replay engine: walks a recording as the driver talks, checking writes and pacing reads.

Writes are compared as one byte stream (a driver may chunk differently from the recording); the
first differing byte is a ``ReplayMismatch`` naming its offset in that stream and the line. Reads
return the recorded bytes no earlier than they came on the wire: each read event is due
``(t_read - t_write) / speed`` after the driver's matching write, so the driver's own timeouts,
resync and stale-line logic see the same timing. ``speed=0`` delivers every read at once.
Operations (open, connect, readers, transmit …) are replayed in order, their recorded failures raised
again; ``close``/``disconnect``/``drain`` are bookkeeping and never have to match.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from drivers.replay.wire import IN, OUT, Event, Recording
from kiosk.errors import DeviceError, DeviceIOError, DeviceTimeoutError, DeviceUnavailableError, ProtocolError

LENIENT_OPS = frozenset({"close", "disconnect", "drain"})

#: Exceptions a recording may name, and what replays them (a transport adds its library's own).
ERRORS: dict[str, Callable[[str], BaseException]] = {
    "DeviceError": DeviceError,
    "DeviceIOError": DeviceIOError,
    "DeviceTimeoutError": DeviceTimeoutError,
    "DeviceUnavailableError": DeviceUnavailableError,
    "ProtocolError": ProtocolError,
    "OSError": OSError,
    "TimeoutError": TimeoutError,
}


class ReplayMismatch(ProtocolError):
    """The driver did something other than what the recording holds at this point."""


class ReplayCursor:
    """Position in a recording, shared by one device's transport objects (thread-safe)."""

    def __init__(self, recording: Recording, speed: float = 1.0, errors: Mapping[str, Callable[[str], BaseException]] | None = None) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0 (0: no waiting)")
        self.recording = recording
        self.speed = speed
        self.errors = {**ERRORS, **(errors or {})}
        self._events = recording.events
        self._i = 0
        self._partial = 0  # bytes of the current data event already written or read
        self.out_offset = 0  # bytes of the recorded write stream the driver has matched
        self.in_offset = 0  # bytes of the recorded read stream handed to the driver
        self._anchor = (time.monotonic(), 0.0)  # (wall clock, recording time) of the last matched write
        self._lock = threading.RLock()

    # ----- where we are --------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        with self._lock:
            return self._current() is None

    def remaining(self) -> list[Event]:
        with self._lock:
            return [e for e in self._events[self._i:] if e.op not in LENIENT_OPS]

    def _current(self) -> Event | None:
        while self._i < len(self._events) and self._events[self._i].op in LENIENT_OPS:
            self._i += 1
        return self._events[self._i] if self._i < len(self._events) else None

    def _advance(self) -> None:
        self._i += 1
        self._partial = 0

    def _mismatch(self, what: str, event: Event | None) -> ReplayMismatch:
        found = event.describe() if event is not None else "the end of the recording"
        return ReplayMismatch(f"replay of {self.recording.path.name}: {what}, but the recording has {found}")

    def _due(self, event: Event) -> float:
        wall, t = self._anchor
        return wall if self.speed == 0 else wall + max(0.0, event.t - t) / self.speed

    def _raise_recorded(self, event: Event) -> None:
        factory = self.errors.get(event.error)
        if factory is None:
            raise DeviceIOError(f"{event.op} failed in the recording with {event.error}: {event.message}")
        raise factory(event.message)

    # ----- operations ----------------------------------------------------------------------------
    def operation(self, op: str) -> Event:
        """The driver does ``op`` (open, connect, readers …): the recording must do it next; its failure is raised."""
        with self._lock:
            event = self._current()
            if event is None and op == "open":
                raise DeviceUnavailableError(f"replay of {self.recording.path.name}: the recording has ended")
            if event is None or event.op != op or event.dir:
                raise self._mismatch(f"the driver does {op} (after {self.out_offset} bytes written)", event)
            self._advance()
            self._anchor = (time.monotonic(), event.t)
        if event.error:
            self._raise_recorded(event)
        return event

    # ----- byte streams --------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        """The driver writes ``data``: it must continue the recorded write stream exactly."""
        with self._lock:
            pos = 0
            while pos < len(data):
                event = self._current()
                if event is not None and event.op == "write" and event.error:
                    self._advance()
                    self._raise_recorded(event)
                if event is None or event.dir != OUT or event.apdu:
                    raise self._mismatch(f"the driver writes {_hex(data[pos:])} at write offset {self.out_offset}", event)
                expected = event.data[self._partial:]
                n = min(len(expected), len(data) - pos)
                for k in range(n):
                    if data[pos + k] != expected[k]:
                        raise ReplayMismatch(
                            f"replay of {self.recording.path.name}: write differs at offset {self.out_offset + k} "
                            f"(line {event.line}, byte {self._partial + k}): the driver wrote {_hex(data[pos + k:])}, "
                            f"the recording has {_hex(expected[k:])}"
                        )
                pos += n
                self._partial += n
                self.out_offset += n
                if self._partial == len(event.data):
                    self._advance()
                    self._anchor = (time.monotonic(), event.t)
            after = self._current()
            if after is not None and after.op == "write" and after.error:  # the write itself failed on the wire
                self._advance()
                self._raise_recorded(after)

    def pending(self) -> int:
        """Bytes of the next read already due (pyserial's ``in_waiting``)."""
        with self._lock:
            event = self._current()
            if event is None or event.dir != IN or event.apdu or self._due(event) > time.monotonic():
                return 0
            return len(event.data) - self._partial

    def read(self, size: int, timeout_s: float, sleep: Callable[[float], object] = time.sleep) -> bytes:
        """Up to ``size`` recorded bytes once due, waiting at most ``timeout_s``; ``b""`` when the device stays silent."""
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:
            with self._lock:
                event = self._current()
                now = time.monotonic()
                if event is not None and event.op == "read" and event.error and self._due(event) <= now:
                    self._advance()
                    self._raise_recorded(event)
                is_read = event is not None and event.dir == IN and not event.apdu
                due = self._due(event) if event is not None and is_read else None
                if event is not None and due is not None and due <= now:
                    chunk = event.data[self._partial:self._partial + max(1, size)]
                    self._partial += len(chunk)
                    self.in_offset += len(chunk)
                    if self._partial >= len(event.data):
                        self._advance()
                    return chunk
            wake = deadline if due is None else min(deadline, due)
            if wake <= now:
                return b""
            sleep(wake - now)
            if due is None or due > deadline:
                return b""

    # ----- APDUs ---------------------------------------------------------------------------------
    def transmit(self, apdu: bytes) -> bytes:
        """The driver sends ``apdu``: it must be the next recorded command; returns the recorded response."""
        with self._lock:
            event = self._current()
            if event is None or event.dir != OUT or not event.apdu:
                raise self._mismatch(f"the driver sends APDU {_hex(apdu)}", event)
            if apdu != event.data:
                k = next((i for i, (a, b) in enumerate(zip(apdu, event.data, strict=False)) if a != b), min(len(apdu), len(event.data)))
                raise ReplayMismatch(
                    f"replay of {self.recording.path.name}: APDU differs at byte {k} (line {event.line}): "
                    f"the driver sent {_hex(apdu)}, the recording has {_hex(event.data)}"
                )
            self._advance()
            self.out_offset += len(apdu)
            self._anchor = (time.monotonic(), event.t)
            answer = self._current()
            if answer is None or not ((answer.dir == IN and answer.apdu) or (answer.op == "transmit" and answer.error)):
                raise self._mismatch(f"the card must answer APDU {_hex(apdu)}", answer)
            self._advance()
            delay = self._due(answer) - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if answer.error:
            self._raise_recorded(answer)
        return answer.data


def _hex(data: bytes, limit: int = 16) -> str:
    text = data[:limit].hex(" ")
    return (text + (" …" if len(data) > limit else "")) if data else "(nothing)"
