"""Category and service icons, vector-drawn with Kivy canvas instructions (our own drawings, no icon set: no
licence to track, and they scale to any size and follow the theme's colours, also the black elder theme).

Each icon is a list of strokes in a unit box (0..1, y up): ("line", points, closed), ("circle", cx, cy, r)
or ("dot", cx, cy, r) for a filled disc. ``IconTile`` is a ghost button with its icon drawn left of the text.
"""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.graphics import Color, Ellipse, Line
from kivy.metrics import dp, sp
from kivy.properties import StringProperty

from screens.widgets.wrap import WrapButton

Stroke = tuple[Any, ...]
ICONS: dict[str, list[Stroke]] = {
    # categories (kiosk/items categories)
    "marriage_birth": [("circle", .36, .5, .22), ("circle", .64, .5, .22)],
    "medical": [("line", (.38, .1, .62, .1, .62, .38, .9, .38, .9, .62, .62, .62, .62, .9, .38, .9, .38, .62,
                          .1, .62, .1, .38, .38, .38), True)],
    "market_entry": [("line", (.1, .55, .2, .85, .8, .85, .9, .55), True), ("line", (.18, .55, .18, .1, .82, .1, .82, .55), False),
                     ("line", (.42, .1, .42, .35, .58, .35, .58, .1), False)],
    "construction": [("line", (.15, .1, .15, .9, .55, .9, .55, .1), True), ("line", (.55, .5, .88, .5, .88, .1), False),
                     ("dot", .28, .72, .05), ("dot", .42, .72, .05), ("dot", .28, .5, .05), ("dot", .42, .5, .05)],
    "education": [("line", (.05, .62, .5, .85, .95, .62, .5, .4), True), ("line", (.25, .52, .25, .25, .5, .12, .75, .25, .75, .52), False)],
    "household": [("line", (.08, .5, .5, .9, .92, .5), False), ("line", (.2, .58, .2, .1, .8, .1, .8, .58), False),
                  ("line", (.42, .1, .42, .38, .58, .38, .58, .1), False)],
    "elderly": [("circle", .42, .82, .1), ("line", (.42, .7, .42, .38, .25, .1), False), ("line", (.42, .38, .58, .1), False),
                ("line", (.42, .6, .7, .5, .72, .1), False)],
    "travel": [("line", (.08, .3, .08, .55, .22, .55, .32, .78, .68, .78, .78, .55, .92, .55, .92, .3), True),
               ("circle", .28, .26, .1), ("circle", .72, .26, .1)],
    "employment": [("line", (.1, .15, .1, .68, .9, .68, .9, .15), True), ("line", (.36, .68, .36, .84, .64, .84, .64, .68), False),
                   ("line", (.1, .45, .9, .45), False)],
    "social_insurance": [("line", (.5, .92, .88, .78, .82, .38, .5, .08, .18, .38, .12, .78), True),
                         ("line", (.34, .5, .46, .36, .68, .62), False)],
    "housing": [("line", (.12, .1, .12, .7, .5, .92, .88, .7, .88, .1), True), ("dot", .35, .55, .06), ("dot", .65, .55, .06),
                ("dot", .35, .3, .06), ("dot", .65, .3, .06)],
    # citizen services (kiosk.flows.controller.SERVICES)
    "case_status": [("circle", .42, .58, .28), ("line", (.62, .38, .9, .1), False)],
    "appointment": [("line", (.1, .1, .1, .8, .9, .8, .9, .1), True), ("line", (.1, .6, .9, .6), False),
                    ("line", (.3, .9, .3, .7), False), ("line", (.7, .9, .7, .7), False), ("dot", .3, .35, .06), ("dot", .5, .35, .06)],
    "centres": [("circle", .5, .62, .26), ("line", (.28, .5, .5, .08, .72, .5), False), ("dot", .5, .62, .08)],
    "faq": [("circle", .5, .5, .42), ("line", (.36, .62, .42, .74, .58, .74, .64, .62, .5, .5, .5, .38), False), ("dot", .5, .22, .05)],
    "help": [("circle", .5, .75, .15), ("line", (.18, .1, .18, .35, .35, .55, .65, .55, .82, .35, .82, .1), False)],
    "complaint": [("line", (.1, .3, .1, .88, .9, .88, .9, .3, .4, .3, .22, .1, .24, .3), True),
                  ("line", (.28, .68, .72, .68), False), ("line", (.28, .5, .6, .5), False)],
}
FALLBACK = [("circle", .5, .5, .3)]


def draw_icon(canvas: Any, name: str, x: float, y: float, size: float, rgba: tuple[float, ...]) -> None:
    """Add the icon's instructions to ``canvas`` in the box (x, y, size × size)."""
    width = max(1.5, size / 22)
    canvas.add(Color(*rgba))
    for stroke in ICONS.get(name, FALLBACK):
        kind = stroke[0]
        if kind == "line":
            points = [x + v * size if i % 2 == 0 else y + v * size for i, v in enumerate(stroke[1])]
            canvas.add(Line(points=points, width=width, close=stroke[2], joint="round", cap="round"))
        elif kind == "circle":
            _, cx, cy, r = stroke
            canvas.add(Line(circle=(x + cx * size, y + cy * size, r * size), width=width))
        else:
            _, cx, cy, r = stroke
            canvas.add(Ellipse(pos=(x + (cx - r) * size, y + (cy - r) * size), size=(2 * r * size, 2 * r * size)))


class IconTile(WrapButton):
    """A button with a vector icon in a square on its left; the text wraps in the rest. The icon takes the
    text's colour (so it has the text's contrast on the tile in both themes)."""

    icon = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._redraw, size=self._redraw, icon=self._redraw, color=self._redraw)

    def icon_box(self) -> tuple[float, float, float]:
        side = min(self.height * 0.8, dp(40) * self.font_size / sp(26))  # the same width as common.kv's padding
        return self.x + dp(12), self.center_y - side / 2, side

    def _redraw(self, *_args: Any) -> None:
        self.canvas.after.clear()
        if self.icon:
            x, y, side = self.icon_box()
            draw_icon(self.canvas.after, self.icon, x, y, side, tuple(self.color))


Factory.register("IconTile", cls=IconTile)
