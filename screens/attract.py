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
#: The prompt's pulse (a fade to 35 % and back, 10 steps a second): a few cycles when the screen appears, then one
#: every PULSE_EVERY_S. A pulse that never stopped kept software GL redrawing the whole 1080×1920 window 10×/s,
#: 7×24, 16 % of a core; between pulses nothing changes and nothing is drawn (bench/bench_idle.py).
PULSE_STEP_S = 0.1
PULSE_HALF_S = 1.2
PULSE_CYCLES_ON_SHOW = 2
PULSE_EVERY_S = 30.0


@screen("attract")
class AttractScreen(BaseScreen):
    clock_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tick: Any = None  # the Clock event of the next minute's turn
        self._update_clock()
        self._pulse: Animation | None = None
        self._pulse_every: Any = None  # the Clock event that starts the next pulse while attract shows
        self._help = self.ids.help.__self__  # a strong reference: ids are weak, and 帮办 leaves the tree when unused

    def _update_clock(self, _dt: float = 0) -> None:
        """The clock shows minutes: it wakes once at each minute's turn (not every second) and sets its text."""
        now = time.time()
        local = time.localtime(now)
        self.clock_text = time.strftime("%Y年%m月%d日  星期", local) + WEEKDAYS[local.tm_wday] + time.strftime("  %H:%M", local)
        if self._tick is not None:
            self._tick.cancel()
        self._tick = Clock.schedule_once(self._update_clock, 60.05 - now % 60)

    def render(self, vm: AttractVM) -> None:  # type: ignore[override]
        super().render(vm)
        items = [] if vm.out_of_service else list(vm.high_frequency)
        fill_buttons(self.ids.item_list, [(e.name, partial(self.send, I.Start(e.code))) for e in items], "KGhost")
        lines = [f"{o.label}  {o.detail}" for o in vm.nearby] if vm.out_of_service else []
        self.ids.nearby.text = "\n".join([self.tr(NEARBY_TITLE), *lines]) if lines else ""
        self._show_help(vm.out_of_service)
        if vm.out_of_service:
            self._stop_pulse()  # no prompt to pulse
        elif self._pulse_every is None:
            self._start_pulse(PULSE_CYCLES_ON_SHOW)
            self._pulse_every = Clock.schedule_interval(lambda _dt: self._start_pulse(1), PULSE_EVERY_S)

    def _start_pulse(self, cycles: int) -> None:
        """``cycles`` fades of the prompt, then it rests at full opacity (nothing left to draw).
        10 steps a second is smooth enough for a slow fade; every frame (step 0) cost ~2/3 of a CPU."""
        prompt = self.ids.prompt
        if self._pulse is not None:
            self._pulse.cancel(prompt)
        pulse = Animation(opacity=0.35, duration=PULSE_HALF_S, step=PULSE_STEP_S) + Animation(
            opacity=1, duration=PULSE_HALF_S, step=PULSE_STEP_S)
        for _ in range(cycles - 1):
            pulse += Animation(opacity=0.35, duration=PULSE_HALF_S, step=PULSE_STEP_S) + Animation(
                opacity=1, duration=PULSE_HALF_S, step=PULSE_STEP_S)
        self._pulse = pulse
        pulse.start(prompt)

    @property
    def pulsing(self) -> bool:
        """True while the prompt is fading (tests and the idle bench read it)."""
        return self._pulse is not None and self._pulse.have_properties_to_animate(self.ids.prompt)

    def _stop_pulse(self) -> None:
        if self._pulse_every is not None:
            self._pulse_every.cancel()
            self._pulse_every = None
        if self._pulse is not None:
            self._pulse.cancel(self.ids.prompt)
            self._pulse = None
        self.ids.prompt.opacity = 1

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
        self._stop_pulse()

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
