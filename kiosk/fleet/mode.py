"""What the terminal is doing for citizens right now, as set by the fleet or a technician.

``in_service`` serves citizens; ``out_of_service`` shows the 暂停服务 screen (remote command or a
required device down); ``maintenance`` is a technician at the terminal. The hall message is the
line the attract screen shows. Changes are published on the EventBus (``TerminalModeChanged``) so
the UI bridges them with a Clock trigger like any device event; nothing here imports kivy.

With ``settings`` (the fleet's CommandLog) the mode and the hall message are remembered across
restarts: a terminal the platform closed stays closed after the nightly restart. A technician's own
visit (``remember=False``) is not remembered: after a crash mid-visit the terminal is as it was before.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from datetime import time as dtime
from typing import Any

from kiosk.errors import ConfigError
from kiosk.terminal.events import Event, EventBus

MODES = ("starting", "in_service", "out_of_service", "maintenance")
#: What the closed screen says while the outbox's key is missing (the technician's detail is in the log and the heartbeat).
OUTBOX_CLOSED = "申报材料存储暂不可用，暂停受理，请到窗口办理"
#: ... and while free space is below what one more session needs (the citizen in a session finishes).
DISK_CLOSED = "终端存储空间不足，暂停服务，请到窗口办理"
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class RestartWindow:
    """Nightly restart window in local time, e.g. 03:00–04:00 (may wrap past midnight)."""

    start: str = "03:00"
    end: str = "04:00"

    @classmethod
    def parse(cls, start: str, end: str) -> RestartWindow:
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
    def __init__(self, bus: EventBus | None = None, settings: Any = None) -> None:
        self.bus = bus
        self.settings = settings  # .setting(key) / .set_setting(key, value), e.g. kiosk.fleet.commands.CommandLog
        self._lock = threading.Lock()
        self._snapshot = ModeSnapshot()

    def restore(self) -> ModeSnapshot:
        """At start: the remembered mode (a remote out_of_service …) and hall message; "starting" when none."""
        if self.settings is None:
            return self._snapshot
        raw = self.settings.setting("mode")
        try:
            saved = json.loads(raw) if raw else {}
            mode, reason = str(saved.get("mode", "")), str(saved.get("reason", ""))
        except (ValueError, AttributeError):
            mode, reason = "", ""
        changes: dict[str, object] = {"hall_message": (self.settings.setting("hall_message") or "")[:200]}
        if mode in ("in_service", "out_of_service", "maintenance"):
            changes.update(mode=mode, reason=reason)
        return self._update(**changes)

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

    def set_mode(self, mode: str, reason: str = "", *, remember: bool = True) -> ModeSnapshot:
        if mode not in MODES:
            raise ConfigError(f"terminal mode {mode!r}: expected one of {', '.join(MODES)}")
        if remember and self.settings is not None and mode != "starting":
            self.settings.set_setting("mode", json.dumps({"mode": mode, "reason": reason}, ensure_ascii=False))
        return self._update(mode=mode, reason=reason)

    def set_hall_message(self, text: str) -> ModeSnapshot:
        text = text.strip()[:200]
        if self.settings is not None:
            self.settings.set_setting("hall_message", text)
        return self._update(hall_message=text)

    def set_restart_window(self, window: RestartWindow) -> ModeSnapshot:
        return self._update(restart_window=window)

    def gate(self, reason: str, closed: bool) -> bool:
        """Closed with ``reason`` (not remembered) while ``closed``, open again when it clears; True on a change.
        A technician's visit or a closure for another reason (a remote out_of_service) is left alone."""
        now = self._snapshot
        if closed and now.mode in ("starting", "in_service"):
            self.set_mode("out_of_service", reason, remember=False)
            return True
        if not closed and now.mode == "out_of_service" and now.reason == reason:
            self.set_mode("in_service", remember=False)
            return True
        return False

    def gate_on_outbox(self, outbox: Any) -> bool:
        """Closed while the outbox cannot accept applications (its key is missing), open once it can."""
        return self.gate(OUTBOX_CLOSED, bool(getattr(outbox, "unavailable", "")))

    def gate_on_disk(self, free_mb: int, reserve_mb: int) -> bool:
        """Closed to new citizens before free space falls below what one session needs."""
        return self.gate(DISK_CLOSED, free_mb < reserve_mb)
