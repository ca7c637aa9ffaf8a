"""Attract loop (7×24 idle): hall name, clock, high-frequency items, "轻触屏幕开始办理", hall message.
Out of service (no identification method works, or a remote command): the reason, a 帮办 button that
calls staff, and the terminals in service nearby; other taps start nothing."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import AttractVM
from screens.base import BaseScreen, fill_buttons, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
WEEKDAYS = "一二三四五六日"
NEARBY_TITLE = "附近可以办理的自助终端："
#: A touch held longer than this is not a tap: a hand leaning on the glass, a bag, a long press looking for a
#: context menu. It starts nothing (the technician corner's long press is its own widget, above this screen).
TAP_MAX_S = 1.5


@screen("attract")
class AttractScreen(BaseScreen):
    clock_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tick = Clock.schedule_interval(self._update_clock, 1.0)
        self._update_clock()
        self._pulse: Animation | None = None
        self._help = self.ids.help.__self__  # a strong reference: ids are weak, and 帮办 leaves the tree when unused

    def _update_clock(self, _dt: float = 0) -> None:
        now = time.localtime()
        self.clock_text = time.strftime("%Y年%m月%d日  星期", now) + WEEKDAYS[now.tm_wday] + time.strftime("  %H:%M", now)

    def render(self, vm: AttractVM) -> None:  # type: ignore[override]
        super().render(vm)
        items = [] if vm.out_of_service else list(vm.high_frequency)
        fill_buttons(self.ids.item_list, [(e.name, partial(self.send, I.Start(e.code))) for e in items], "KGhost")
        lines = [f"{o.label}  {o.detail}" for o in vm.nearby] if vm.out_of_service else []
        self.ids.nearby.text = "\n".join([self.tr(NEARBY_TITLE), *lines]) if lines else ""
        self._show_help(vm.out_of_service)
        if self._pulse is None and not vm.out_of_service:
            # 10 steps a second is smooth enough for a slow fade; every frame (step 0) kept software GL
            # redrawing the whole window nonstop, 7×24, at ~2/3 of a CPU
            self._pulse = Animation(opacity=0.35, duration=1.2, step=0.1) + Animation(opacity=1, duration=1.2, step=0.1)
            self._pulse.repeat = True
            self._pulse.start(self.ids.prompt)

    def _show_help(self, shown: bool) -> None:
        """帮办 is in the column only while out of service: a hidden child still costs the column's spacing, which
        a landscape screen's item list cannot spare."""
        button, column = self._help, self.ids.column
        if shown and button.parent is None:
            column.add_widget(button, index=column.children.index(self.ids.item_list.parent))
        elif not shown and button.parent is not None:
            column.remove_widget(button)

    def on_leave(self, *_args: object) -> None:
        """Off screen: the pulse stops (render starts it again when attract returns)."""
        if self._pulse is not None:
            self._pulse.cancel(self.ids.prompt)
            self._pulse = None
            self.ids.prompt.opacity = 1

    def call_help(self) -> None:
        """帮办 on the out-of-service screen: staff are called even though no session can start here."""
        if self.vm is not None and self.vm.out_of_service:
            self.send(I.Help())

    def on_touch_down(self, touch: Any) -> bool:
        if any(b.collide_point(*b.to_widget(*touch.pos)) for b in self.ids.item_list.children):
            return super().on_touch_down(touch)  # a high-frequency item: starts that item
        help_button = self._help
        if self.vm is not None and self.vm.out_of_service and help_button.collide_point(*help_button.to_widget(*touch.pos)):
            return super().on_touch_down(touch)  # 帮办
        touch.ud["attract_down_at"] = time.monotonic()
        touch.grab(self)  # the session starts when this touch lifts, if it was a tap
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        held_s = time.monotonic() - touch.ud.get("attract_down_at", time.monotonic())
        if held_s <= TAP_MAX_S and self.vm is not None and not self.vm.out_of_service:
            self.send(I.Touch())  # any other tap starts a session at the home screen
        return True
