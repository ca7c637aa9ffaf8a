"""Drive the real app without ``App.run()``: the headless demo, the UI tests and the bench step the
Kivy event loop themselves, frame by frame, so a journey is deterministic and fast.

``pump()`` runs frames until the UI is idle (no pending snapshot); ``tap()`` presses a widget through a
real touch (UnitTestTouch) so hit-testing, grabbing and ``on_release`` run as on the touch screen.
"""

from __future__ import annotations

import time
from typing import Any

from kivy.base import EventLoop
from kivy.tests.common import UnitTestTouch

from screens.app import KioskApp


class Driver:
    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self.frames = 0

    def start(self) -> Driver:
        self.app._run_prepare()  # builds the root and opens the window, as App.run() does first
        self.pump()
        return self

    def stop(self) -> None:
        from kivy.lang import Builder

        if self.app.bridge is not None:  # nothing from the flow layer is shown once the window is closing
            self.app.bridge.close()
        Builder.sync()  # kv rule updates still queued run while the app exists (after stop, ``app`` is None)
        self.app.stop()
        EventLoop.idle()

    def pump(self, frames: int = 2) -> None:
        """Run ``frames`` frames (each: clock, input, layout, draw, flip) after flushing pending snapshots."""
        for _ in range(frames):
            if self.app.bridge is not None:
                self.app.bridge.flush_now()
            EventLoop.idle()
            self.frames += 1

    def wait_for(self, kind: str, timeout: float = 10.0) -> None:
        """Pump until the screen of ``kind`` is current (the flow layer may answer from another thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(1)
            current = self.app.current_vm
            if current is not None and current.kind == kind and self.app.manager.current == self.app.screen_for(kind).name:
                self.pump(1)
                return
            time.sleep(0.002)
        raise TimeoutError(f"screen {kind!r} not shown (current: {self.app.current_vm and self.app.current_vm.kind})")

    def tap(self, widget: Any, frames: int = 1) -> None:
        """A real touch at the widget's centre in window coordinates (scrolled into view first, as a finger would)."""
        self.scroll_into_view(widget)
        x, y = self.stable_centre(widget)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.pump(frames)

    def stable_centre(self, widget: Any, max_frames: int = 12) -> tuple[float, float]:
        """The widget's centre in window coordinates once layout has stopped moving it
        (text sizes → heights → positions take a few passes after a screen is rendered)."""
        last = (widget.to_window(*widget.center), tuple(widget.size))
        for _ in range(max_frames):
            self.pump(1)
            now = (widget.to_window(*widget.center), tuple(widget.size))
            if now == last:
                break
            last = now
        return last[0]

    def scroll_into_view(self, widget: Any) -> None:
        from kivy.uix.scrollview import ScrollView

        parent = widget.parent
        for _ in range(64):  # the Window is its own parent: bounded walk
            if parent is None or isinstance(parent, ScrollView):
                break
            parent = parent.parent
        else:
            parent = None
        if parent is not None:
            self.stable_centre(widget)
            content = parent.children[0] if parent.children else None
            if content is not None and content.height > parent.height:
                parent.scroll_to(widget, padding=10, animate=False)
            else:  # everything fits: Kivy's scroll_to would divide by a negative overflow
                parent.scroll_y = 1
            self.pump(1)

    def screen(self, kind: str) -> Any:
        return self.app.screen_for(kind)

    def button(self, kind: str, text: str) -> Any:
        """The first Button on the ``kind`` screen whose text contains ``text``."""
        from kivy.uix.button import Button

        for widget in self.app.screen_for(kind).walk():
            if isinstance(widget, Button) and text in widget.text and not widget.disabled:
                return widget
        raise LookupError(f"no button {text!r} on {kind}")
