"""What the terminal is doing for citizens right now, as set by the fleet or a technician.

``in_service`` serves citizens; ``out_of_service`` shows the 暂停服务 screen (remote command or a
required device down); ``maintenance`` is a technician at the terminal. The hall message is the
line the attract screen shows. Changes are published on the EventBus (``TerminalModeChanged``) so
the UI bridges them with a Clock trigger like any device event; nothing here imports kivy.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from datetime import datetime, time as dtime

from kiosk.errors import ConfigError
from kiosk.terminal.events import Event, EventBus

MODES = ("starting", "in_service", "out_of_service", "maintenance")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class RestartWindow:
    """Nightly restart window in local time, e.g. 03:00–04:00 (may wrap past midnight)."""

    start: str = "03:00"
    end: str = "04:00"

    @classmethod
    def parse(cls, start: str, end: str) -> "RestartWindow":
        for value in (start, end):
            if not isinstance(value, str) or not _HHMM.match(value):
                raise ConfigError(f"restart window time {value!r}: expected HH:MM")
        if start == end:
            raise ConfigError("restart window start and end are equal")
        return cls(start, end)

    def contains(self, moment: datetime) -> bool:
        start, end, now = dtime.fromisoformat(self.start), dtime.fromisoformat(self.end), moment.time()
        return start <= now < end if start < end else (now >= start or now < end)


@dataclass(frozen=True)
class ModeSnapshot:
    mode: str = "starting"
    reason: str = ""
    hall_message: str = ""
    restart_window: RestartWindow = RestartWindow()


@dataclass(frozen=True)
class TerminalModeChanged(Event):
    old: ModeSnapshot
    new: ModeSnapshot


class TerminalMode:
    def __init__(self, bus: EventBus | None = None) -> None:
        self.bus = bus
        self._lock = threading.Lock()
        self._snapshot = ModeSnapshot()

    @property
    def snapshot(self) -> ModeSnapshot:
        return self._snapshot

    def _update(self, **changes: object) -> ModeSnapshot:
        with self._lock:
            old = self._snapshot
            self._snapshot = new = replace(old, **changes)  # type: ignore[arg-type]
        if new != old and self.bus is not None:
            self.bus.publish(TerminalModeChanged("terminal", old=old, new=new))
        return new

    def set_mode(self, mode: str, reason: str = "") -> ModeSnapshot:
        if mode not in MODES:
            raise ConfigError(f"terminal mode {mode!r}: expected one of {', '.join(MODES)}")
        return self._update(mode=mode, reason=reason)

    def set_hall_message(self, text: str) -> ModeSnapshot:
        return self._update(hall_message=text.strip()[:200])

    def set_restart_window(self, window: RestartWindow) -> ModeSnapshot:
        return self._update(restart_window=window)
