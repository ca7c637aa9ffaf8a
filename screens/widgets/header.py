"""The header on every screen (the 渝快办 mark, hall, date and time in China time, terminal number) and the
step indicator of an application (身份核验 › 填写 › 材料 › 签名 › 确认 › 回执).

The clock is China time whatever the machine's zone (the demo and CI run with TZ=UTC; a hall in Chongqing
reads its own time), and wakes once a minute at the minute's turn, not every second: a redraw costs a frame.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Color, RoundedRectangle
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
WEEKDAYS = "一二三四五六日"
STEPS = ("身份核验", "填写", "材料", "签名", "确认", "回执")
#: Screen kind → its step (1-based) in STEPS; other screens (home, services, attract) show no steps.
STEP_OF = {"identify": 1, "guide": 2, "notice": 2, "form": 2, "materials": 3, "signature": 4, "confirm": 5,
           "progress": 5, "receipt": 6}


def china_clock(now: dt.datetime | None = None) -> str:
    """``2026年12月02日 星期三 18:05`` in China time."""
    local = (now or dt.datetime.now(dt.UTC)).astimezone(CHINA)
    return local.strftime("%Y年%m月%d日 星期") + WEEKDAYS[local.weekday()] + local.strftime(" %H:%M")


class StepBar(BoxLayout):
    """Six labels; the current one on a filled pill, those done in the text colour, those ahead muted. In elder
    mode the six do not fit at 1.6× type: one line says 第 2 步 / 共 6 步 · 填写 instead."""

    current = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = (dp(12), dp(4))
        self._later = Clock.create_trigger(self.refresh)
        self.labels: list[Label] = []
        for i, name in enumerate(STEPS):
            if i:
                self.add_widget(Label(text="›", size_hint_x=0.5))
            label = Label(halign="center", valign="middle", size_hint_x=len(name) + 2.0)  # width by its text
            label.bind(size=lambda w, s: setattr(w, "text_size", s))
            label.bind(pos=self._later, size=self._later)  # the pill follows its label once the layout placed it
            self.labels.append(label)
            self.add_widget(label)
        self._hints = {w: w.size_hint_x for w in self.children}
        self.bind(current=self.refresh)
        app = App.get_running_app()
        if app is not None:
            app.bind(language=self.refresh)
            app.theme.bind(revision=self.refresh)

    def refresh(self, *_args: Any) -> None:
        app = App.get_running_app()
        theme = app.theme
        compact = theme.elder
        for widget, hint in self._hints.items():  # compact: the first label takes the whole bar
            first = widget is self.labels[0]
            widget.opacity = 1 if not compact or first else 0
            widget.size_hint_x = hint if not compact else (1 if first else 0)
        if compact:
            self._compact()
            return
        for widget in self.children:
            if widget not in self.labels:
                widget.color, widget.font_size = theme.colour("muted"), theme.font(20)
        for i, (label, name) in enumerate(zip(self.labels, STEPS, strict=True), start=1):
            label.text = f"{i} {app.tr(name)}"
            label.font_size = theme.font(20)
            label.bold = i == self.current
            label.color = theme.colour("primary_text" if i == self.current else ("fg" if i < self.current else "muted"))
            label.canvas.before.clear()
            if i == self.current:
                label.canvas.before.add(Color(*theme.colour("primary")))
                label.canvas.before.add(RoundedRectangle(pos=label.pos, size=label.size, radius=[label.height / 2]))


    def _compact(self) -> None:
        app = App.get_running_app()
        theme, label = app.theme, self.labels[0]
        label.text = app.tr("第 {n} 步 / 共 {total} 步").replace("{n}", str(self.current)).replace(
            "{total}", str(len(STEPS))) + " · " + app.tr(STEPS[max(0, self.current - 1)])
        label.font_size, label.bold, label.color = theme.font(22), True, theme.colour("fg")
        label.canvas.before.clear()


class Header(BoxLayout):
    """``typing``: the on-screen keyboard is docked; the step bar folds away so the field being typed keeps its
    room above the keypad (the keypad, the bottom bar and a full header left a small window no room at all)."""

    typing = BooleanProperty(False)
    hall = StringProperty("")
    terminal_id = StringProperty("")
    clock_text = StringProperty("")
    step = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tick: Any = None
        self.update_clock()

    def update_clock(self, _dt: float = 0) -> None:
        now = dt.datetime.now(dt.UTC)
        self.clock_text = china_clock(now)
        if self._tick is not None:
            self._tick.cancel()
        self._tick = Clock.schedule_once(self.update_clock, 60.05 - now.timestamp() % 60)

    def show_kind(self, kind: str) -> None:
        self.step = STEP_OF.get(kind, 0)


Builder.load_file(str(Path(__file__).with_name("header.kv")))
