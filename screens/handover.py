"""手机继续办: the QR code of the platform's one-time URL (drawn from the view-model's PNG, made by the
``qrcode`` package from that URL) and a countdown to its expiry; once expired the code is hidden and the
citizen may ask for a new one."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import NumericProperty

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import HandoverVM
from screens.base import BaseScreen, screen
from screens.imaging import set_jpeg

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def countdown_text(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


@screen("handover")
class HandoverScreen(BaseScreen):
    seconds_left = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._deadline = 0.0
        self._tick: Any = None

    countdown_text = staticmethod(countdown_text)

    def render(self, vm: HandoverVM) -> None:  # type: ignore[override]
        fresh = self.vm is not vm
        super().render(vm)
        if fresh:
            self._deadline = time.monotonic() + vm.expires_in_s
        set_jpeg(self.ids.qr, vm.qr_png if vm.qr_payload else None, "png")
        self.update()
        if self._tick is None and vm.expires_in_s > 0:
            self._tick = Clock.schedule_interval(lambda _dt: self.update(), 1.0)

    def update(self) -> None:
        left = max(0, int(round(self._deadline - time.monotonic())))
        self.seconds_left = left
        if left == 0:
            self.stop_tick()
            self.ids.qr.texture = None  # an expired code must not be scanned

    def stop_tick(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def renew(self) -> None:
        self.send(I.Handover())

    def on_leave(self, *_args: Any) -> None:
        self.stop_tick()
