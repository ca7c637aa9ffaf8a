"""Nearest centres: a simple drawn map (terminal at the centre, centres by their east/north metres)
beside the list with distance, address, hours and phone, all from platform data."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from kivy.graphics import Color, Ellipse, Line
from kivy.lang import Builder
from kivy.uix.label import Label

from kiosk.flows.viewmodels import CentresVM
from screens.base import BaseScreen, fill_labels, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def distance_text(metres: int) -> str:
    return f"{metres} 米" if metres < 1000 else f"{metres / 1000:.1f} 公里"


@screen("centres")
class CentresScreen(BaseScreen):
    def render(self, vm: CentresVM) -> None:  # type: ignore[override]
        super().render(vm)
        fill_labels(self.ids.rows, [f"{i + 1}. {c.name}  {distance_text(c.distance_m)}\n{c.address}  {c.hours}  {c.phone}"
                                    for i, c in enumerate(vm.centres)])
        self.draw_map()

    def draw_map(self, *_args: Any) -> None:
        area = self.ids.map
        area.canvas.after.clear()
        area.clear_widgets()
        vm = self.vm
        if vm is None:
            return
        reach = max([math.hypot(c.x, c.y) for c in vm.centres] + [1.0]) * 1.15
        radius = min(area.width, area.height) / 2 - 20
        cx, cy = area.center
        theme = self.app.theme
        with area.canvas.after:
            Color(*theme.muted)
            for ring in (1 / 3, 2 / 3, 1):
                Line(circle=(cx, cy, radius * ring), width=1)
            Color(*theme.danger)
            Ellipse(pos=(cx - 12, cy - 12), size=(24, 24))
            Color(*theme.primary)
            for c in vm.centres:
                x, y = cx + c.x / reach * radius, cy + c.y / reach * radius
                Ellipse(pos=(x - 10, y - 10), size=(20, 20))
        for i, c in enumerate(vm.centres):
            x, y = cx + c.x / reach * radius, cy + c.y / reach * radius
            area.add_widget(Label(text=str(i + 1), pos=(x + 8, y), size=(40, 30), color=theme.fg,
                                  font_size=theme.font(20)))
        area.add_widget(Label(text=self.tr("本机"), pos=(cx + 14, cy - 30), size=(80, 30), color=theme.danger,
                              font_size=theme.font(18)))
