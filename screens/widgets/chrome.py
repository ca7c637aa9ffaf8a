"""Chrome around every screen: the bottom bar (帮办, 长辈模式, language, home), the idle countdown overlay,
the 退出 confirmation and the hidden technician corner (long-press top-left for ``hold_s`` seconds)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

Builder.load_file(str(Path(__file__).with_name("chrome.kv")))


class BottomBar(BoxLayout):
    """Visible on every screen but attract; in elder mode its buttons grow with the type.

    Hidden = transparent and deaf to touches, not ``disabled``: disabling re-rendered all four label
    textures (the colour is baked into them) on every attract↔home switch, ~4 CJK text renders per tap."""

    hidden = BooleanProperty(False)

    def on_hidden(self, _bar: Any, hidden: bool) -> None:
        self.opacity = 0 if hidden else 1

    def on_touch_down(self, touch: Any) -> bool:
        return False if self.hidden else super().on_touch_down(touch)

    def on_touch_move(self, touch: Any) -> bool:
        return False if self.hidden else super().on_touch_move(touch)

    def on_touch_up(self, touch: Any) -> bool:
        return False if self.hidden else super().on_touch_up(touch)


class IdleOverlay(FloatLayout):
    """'还有 20 秒将退出，点击继续办理': any tap on it keeps the session (sends Touch)."""

    text = StringProperty("")
    seconds_left = NumericProperty(0)

    def __init__(self, on_continue: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_continue = on_continue

    def on_touch_down(self, touch: Any) -> bool:
        self._on_continue()
        return True  # swallow: the tap under the overlay must not act


class ExitConfirm(FloatLayout):
    """退出 with something entered: 确定退出？已填写的内容将被清除 — 确定退出 / 继续办理. Touches outside the
    card do nothing (a stray tap must neither exit nor act on the form underneath)."""

    def __init__(self, on_exit: Callable[[], None], on_stay: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_exit, self._on_stay = on_exit, on_stay

    def exit(self) -> None:
        self._on_exit()

    def stay(self) -> None:
        self._on_stay()

    def on_touch_down(self, touch: Any) -> bool:
        super().on_touch_down(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        super().on_touch_up(touch)
        return True


class TechCorner(Widget):
    """Invisible: a finger held here for ``hold_s`` opens the maintenance login; anything shorter does nothing.
    Inert while ``armed()`` is false (a citizen is being served): a long press on a form opens nothing."""

    hold_s = NumericProperty(5.0)

    def __init__(self, on_unlock: Callable[[], None], armed: Callable[[], bool] = lambda: True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_unlock = on_unlock
        self._armed = armed
        self._event: Any = None

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos) or not self._armed():
            return False
        touch.grab(self)
        self._event = Clock.schedule_once(self._held, self.hold_s)
        return False  # let the screen below see the tap too: the corner must stay secret

    def _held(self, _dt: float) -> None:
        self._event = None
        if self._armed():  # a session may have started under the finger
            self._on_unlock()

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            if self._event is not None:
                self._event.cancel()
                self._event = None
        return False
