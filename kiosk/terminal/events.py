"""One event bus for the whole terminal: device status, media, thresholds and errors.

Publishers may be any thread (device workers publish from theirs). Subscribers are called
synchronously in the publisher's thread and must not block; the UI bridges with a Kivy Clock
trigger, asyncio code with ``stream()``. A failing subscriber is logged, never breaks the publisher.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kiosk.terminal.completion import RecoveryAction
from kiosk.terminal.requests import current_request_id
from kiosk.terminal.status import DeviceStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """``request_id``: the command that caused the event (None: unsolicited — a poller, a monitor, the supervisor)."""

    device: str
    at: float = field(default_factory=time.time, kw_only=True)
    request_id: int | None = field(default_factory=current_request_id, kw_only=True)


@dataclass(frozen=True)
class StatusChanged(Event):
    old: DeviceStatus | None
    new: DeviceStatus


@dataclass(frozen=True)
class MediaInserted(Event):
    """Media arrived at the device: a card placed on a reader (the poller's or monitor's find), a page."""

    media: str = "card"  # card | page | code
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MediaRemoved(Event):
    media: str = "card"


@dataclass(frozen=True)
class MediaPresented(Event):
    """Media offered to the citizen at the device's exit (a cut receipt in the printer's mouth; XFS4IoT
    Printer.MediaPresentedEvent). ``request_id`` is the print command's."""

    media: str = "receipt"
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MediaTaken(Event):
    """The citizen took what was presented (XFS4IoT Printer.MediaTakenEvent)."""

    media: str = "receipt"


@dataclass(frozen=True)
class Threshold(Event):
    """A consumable crossed a limit, e.g. ``name="paper", level="near_end"``."""

    name: str
    level: str


@dataclass(frozen=True)
class Error(Event):
    description: str
    action: RecoveryAction | None = None


Subscriber = Callable[[Event], None]


class EventBus:
    """Thread-safe publish/subscribe with a ring buffer of recent events for maintenance mode."""

    def __init__(self, history: int = 200) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[tuple[Subscriber, tuple[type[Event], ...]]] = []
        self._recent: collections.deque[Event] = collections.deque(maxlen=history)

    def subscribe(self, callback: Subscriber, types: Iterable[type[Event]] = (Event,)) -> Callable[[], None]:
        entry = (callback, tuple(types))
        with self._lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            self._recent.append(event)
            targets = [cb for cb, types in self._subscribers if isinstance(event, types)]
        for callback in targets:
            try:
                callback(event)
            except Exception:  # a broken subscriber must not break a device worker
                log.exception("event subscriber failed on %s", type(event).__name__)

    def recent(self, types: Iterable[type[Event]] = (Event,)) -> list[Event]:
        wanted = tuple(types)
        with self._lock:
            return [e for e in self._recent if isinstance(e, wanted)]

    def stream(self, loop: asyncio.AbstractEventLoop | None = None, types: Iterable[type[Event]] = (Event,)) -> EventStream:
        """An async iterator of events, delivered into ``loop`` from any publishing thread."""
        return EventStream(self, loop or asyncio.get_running_loop(), tuple(types))


class EventStream:
    """Async iterator over bus events; close() unsubscribes."""

    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop, types: tuple[type[Event], ...]) -> None:
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._loop = loop
        self._unsubscribe = bus.subscribe(self._deliver, types)

    def _deliver(self, event: Event) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, event)
        except RuntimeError:  # loop closed
            self._unsubscribe()

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Event:
        return await self._queue.get()

    async def next(self, timeout: float) -> Event:
        return await asyncio.wait_for(self._queue.get(), timeout)

    def close(self) -> None:
        self._unsubscribe()
