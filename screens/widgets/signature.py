"""Signature pad: strokes drawn with the finger, exported as PNG bytes (black ink on white) with Pillow.

Why Pillow and not ``export_to_png``: the Kivy export drops the background (transparent image) and
needs a GL context; the strokes are kept as points, so the PNG is rendered exactly and headless.
"""

from __future__ import annotations

import io
from typing import Any

from kivy.graphics import Color, Line
from kivy.properties import NumericProperty
from kivy.uix.widget import Widget
from PIL import Image, ImageDraw


class SignaturePad(Widget):
    strokes_count = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strokes: list[list[tuple[float, float]]] = []
        self._line: Line | None = None

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        touch.grab(self)
        self.strokes.append([(touch.x - self.x, touch.y - self.y)])
        with self.canvas:
            Color(0.05, 0.05, 0.05, 1)
            self._line = Line(points=[touch.x, touch.y], width=3)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self or self._line is None:
            return False
        self.strokes[-1].append((touch.x - self.x, touch.y - self.y))
        self._line.points += [touch.x, touch.y]
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        self._line = None
        self.strokes_count = len(self.strokes)
        return True

    def clear(self) -> None:
        self.strokes.clear()
        self.canvas.clear()
        self.strokes_count = 0

    def png(self, scale: float = 1.0) -> bytes:
        """The signature as a PNG (white background); empty pad → ValueError."""
        if not any(len(s) > 1 for s in self.strokes):
            raise ValueError("no signature drawn")
        width, height = max(1, int(self.width * scale)), max(1, int(self.height * scale))
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        for stroke in self.strokes:
            points = [(x * scale, height - y * scale) for x, y in stroke]
            draw.line(points, fill=0, width=max(2, int(4 * scale)), joint="curve")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
