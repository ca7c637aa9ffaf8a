"""Progress: a message, a bar when the fraction is known, a spinner otherwise, cancel when allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.animation import Animation
from kivy.lang import Builder

from kiosk.flows.viewmodels import ProgressVM
from screens.base import BaseScreen, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("progress")
class ProgressScreen(BaseScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._spin = Animation(angle=360, duration=1.2)
        self._spin.repeat = True

    def render(self, vm: ProgressVM) -> None:  # type: ignore[override]
        super().render(vm)
        spinner = self.ids.spinner
        if vm.fraction is None:
            spinner.angle = 0
            self._spin.start(spinner)
        else:
            self._spin.cancel(spinner)
