"""KScroll: a ScrollView clipped with the GL scissor test instead of the stencil buffer.

Why: Kivy's ScrollView (a StencilView) draws its rectangle into the stencil buffer before and after its
content — two extra passes over its whole area every frame. On the kiosk's software GL (Mesa llvmpipe)
at 1080×1920 those passes were a large share of each frame; a scissor rectangle clips for free. Our
scroll areas are axis-aligned and never rotated or scaled, which is all the scissor test can express.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Callback
from kivy.graphics.scissor_instructions import ScissorPop, ScissorPush
from kivy.lang import Builder
from kivy.uix.scrollview import ScrollView

# "<-KScroll>" drops the inherited ScrollView/StencilView style (the stencil passes); the scroll bar
# drawing is kept as in Kivy's style.kv.
Builder.load_string("""
#:import dp kivy.metrics.dp
<-KScroll>:
    do_scroll_x: False
    bar_width: dp(10)
    _handle_y_pos:
        ((self.right - self.bar_width - self.bar_margin) if self.bar_pos_y == 'right' else (self.x + self.bar_margin),
        self.y + self.height * self.vbar[0])
    _handle_y_size: min(self.bar_width, self.width), self.height * self.vbar[1]
    _handle_x_pos:
        (self.x + self.width * self.hbar[0],
        (self.y + self.bar_margin) if self.bar_pos_x == 'bottom' else (self.top - self.bar_margin - self.bar_width))
    _handle_x_size: self.width * self.hbar[1], min(self.bar_width, self.height)
    canvas.after:
        Color:
            rgba: self._bar_color if (self.do_scroll_y and self.viewport_size[1] > self.height) else [0, 0, 0, 0]
        Rectangle:
            pos: root._handle_y_pos or (0, 0)
            size: root._handle_y_size or (0, 0)
        Color:
            rgba: self._bar_color if (self.do_scroll_x and self.viewport_size[0] > self.width) else [0, 0, 0, 0]
        Rectangle:
            pos: root._handle_x_pos or (0, 0)
            size: root._handle_x_size or (0, 0)
""")


class KScroll(ScrollView):
    """Vertical scroll area of the kiosk screens (see the module docstring for why scissor)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self.canvas.before:
            Callback(self._sync_clip)  # at draw time: the window rectangle may move with any ancestor
            self._clip = ScissorPush(x=0, y=0, width=1, height=1)
        with self.canvas.after:
            ScissorPop()

    def _sync_clip(self, _instruction: Any) -> None:
        x0, y0 = self.to_window(self.x, self.y)
        x1, y1 = self.to_window(self.right, self.top)
        rect = (int(round(x0)), int(round(y0)), max(0, int(round(x1 - x0))), max(0, int(round(y1 - y0))))
        clip = self._clip
        if (clip.x, clip.y, clip.width, clip.height) != rect:
            clip.x, clip.y, clip.width, clip.height = rect
