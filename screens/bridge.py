"""The one door between the flow layer and Kivy.

The flow layer publishes frozen view-models from any thread; the bridge keeps the latest and fires a
``Clock`` trigger, so only the Kivy thread ever touches widgets (Electrum's pattern). Intents go the
other way through ``FlowPort.send``, which must not block (the controller queues them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from kivy.clock import Clock

from kiosk.flows.intents import Intent
from kiosk.flows.viewmodels import IdleWarningVM, ViewModel

Listener = Callable[[ViewModel], None]


class FlowPort(Protocol):
    """What the UI needs from the flow layer's controller."""

    def send(self, intent: Intent) -> None: ...

    def subscribe(self, listener: Listener) -> None: ...


class Bridge:
    def __init__(self, port: FlowPort, show: Callable[[ViewModel], None],
                 overlay: Callable[[IdleWarningVM | None], None]) -> None:
        self.port = port
        self._show = show
        self._overlay = overlay
        self._lock = threading.Lock()
        self._screen: ViewModel | None = None
        self._idle: IdleWarningVM | None = None
        self._idle_changed = False
        self._trigger = Clock.create_trigger(self._flush, 0)
        self.closed = False
        port.subscribe(self.publish)

    def close(self) -> None:
        """Stop showing this port's snapshots (the app switched to another port)."""
        self.closed = True

    def publish(self, vm: ViewModel) -> None:
        """Any thread: remember the newest snapshot and wake the Kivy thread."""
        if self.closed:
            return
        with self._lock:
            if isinstance(vm, IdleWarningVM):
                self._idle, self._idle_changed = vm, True
            else:
                self._screen = vm
                if self._idle is not None:  # a new screen means the citizen is active again
                    self._idle, self._idle_changed = None, True
        self._trigger()

    def send(self, intent: Intent) -> None:
        self.port.send(intent)

    def _flush(self, _dt: float = 0) -> None:
        if self.closed:  # a snapshot that arrived before close() is not shown either (the app may be stopping)
            return
        with self._lock:
            screen, self._screen = self._screen, None
            idle, changed, self._idle_changed = self._idle, self._idle_changed, False
        if screen is not None:
            self._show(screen)
        if changed:
            self._overlay(idle)

    def flush_now(self) -> None:
        """Tests and the headless demo: apply pending snapshots without waiting for the next frame."""
        self._flush()
