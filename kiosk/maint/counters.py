"""Device counters (prints, cuts, card reads, scans …) counted from the event bus.

Why from the bus: every command's life is visible there without touching drivers — the runner
publishes ``busy <command>`` when a command starts and a new status when it ends, drivers publish
media events, and hardware errors are ``Error`` events. Counts persist in the store (``maint``
migrations) so they survive restarts and are reported in the heartbeat.

A finished command counts as one use; ``cuts`` counts finished receipt prints, because every
receipt our builders make ends with a cut (the driver does not report cuts separately).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kiosk.terminal.events import Error, Event, EventBus, MediaInserted, StatusChanged
from kiosk.terminal.status import DeviceState

#: command name → counters it increments when it finishes.
COMMAND_COUNTERS: dict[str, tuple[str, ...]] = {
    "print_document": ("prints", "cuts"),
    "print_pdf": ("prints",),
    "read_card": ("card_reads",),
    "read_technician_id": ("card_reads",),
    "read_code": ("code_reads",),
    "scan": ("scans",),
    "capture_page": ("captures",),
    "capture_face": ("captures",),
    "speak": ("prompts",),
}
MEDIA_COUNTERS = {"card": "cards_inserted", "page": "pages_placed", "code": "codes_seen"}


class DeviceCounters:
    def __init__(self, bus: EventBus, store: Any = None) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, int]] = self._load()
        self._unsubscribe: Callable[[], None] = bus.subscribe(self._on_event, (StatusChanged, MediaInserted, Error))

    def close(self) -> None:
        self._unsubscribe()

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {device: dict(counts) for device, counts in self._counts.items()}

    def _on_event(self, event: Event) -> None:
        if isinstance(event, StatusChanged):
            old, new = event.old, event.new
            if old is not None and old.state is DeviceState.BUSY and (new.state is not DeviceState.BUSY or new.description != old.description):
                for name in COMMAND_COUNTERS.get(old.description, ()):
                    self._bump(event.device, name)
        elif isinstance(event, MediaInserted):
            self._bump(event.device, MEDIA_COUNTERS.get(event.media, f"{event.media}_inserted"))
        elif isinstance(event, Error):
            self._bump(event.device, "errors")

    def _bump(self, device: str, name: str) -> None:
        with self._lock:
            counts = self._counts.setdefault(device, {})
            counts[name] = counts.get(name, 0) + 1
            value = counts[name]
        if self.store is not None:
            self.store.db().execute("INSERT OR REPLACE INTO maint_counters (device, name, value) VALUES (?, ?, ?)", [device, name, value])

    def _load(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        if self.store is not None:
            for device, name, value in self.store.db().execute("SELECT device, name, value FROM maint_counters").fetchall():
                out.setdefault(device, {})[name] = value
        return out
