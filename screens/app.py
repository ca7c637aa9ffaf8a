"""KioskApp: window, chrome and screen switching. Everything else lives in the screens and the flow layer.

Kept deliberately small (no god window class): it owns the ScreenManager, the chrome, lockdown, the
language and the theme; screens are created on first use from ``base.REGISTRY`` by view-model kind.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import AttractVM, IdleWarningVM, ViewModel
from screens.base import REGISTRY, BaseScreen
from screens.bridge import Bridge, FlowPort
from screens.i18n import Translator
from screens.options import UiOptions
from screens.theme import Theme, register_font
from screens.widgets import clip as _clip  # noqa: F401  (registers KScroll before any .kv uses it)
from screens.widgets import picture as _picture  # noqa: F401  (registers KImage)

log = logging.getLogger(__name__)
SCREEN_MODULES = ["attract", "home", "identify", "guide", "notice", "form", "materials", "signature", "confirm",
                  "progress", "receipt", "evaluate", "case_status", "centres", "faq", "help", "message",
                  "maintenance", "complaint", "appointment", "handover"]
ENTRY_INTENTS = (I.SetField, I.Capture, I.UseElicense, I.Sign)  # what a citizen would lose to 退出
BLOCKED_KEYS = {27, 1001}  # Esc, Android back; F-keys and Alt+F4 below
Builder.load_file(str(Path(__file__).with_name("common.kv")))
Builder.load_string("<-FlatScreenManager>:\n")  # no style rules: drops ScreenManager's stencil clip


class FlatScreenManager(ScreenManager):
    """A ScreenManager without the stencil clip: with an instant switch no screen ever draws outside it, and
    the clip cost two extra full-screen passes per frame on software GL (llvmpipe)."""


class InstantTransition(NoTransition):
    """Swap screens within the call. Kivy's NoTransition is a zero-length animation that removes the old
    screen on the next clock tick, so one frame drew both screens on top of each other (the new one not yet
    laid out) — on the black elder theme that frame showed as a mix of the two screens."""

    def start(self, manager: ScreenManager) -> None:
        super().start(manager)
        self._anim.cancel(self)  # completes now: the old screen leaves the tree and on_enter/on_leave fire
        self._on_complete()  # (Kivy's stop() would skip on_enter/on_leave: the screens' animations never stopped)


def _clear_colour_only() -> None:
    """Window.clear without the depth/stencil clear: nothing here depth-tests, and Kivy's StencilPush clears
    the stencil itself at its first level. Saves a full-screen buffer fill per frame on llvmpipe."""
    from kivy.graphics import opengl as gl

    gl.glClearColor(*Window.clearcolor)
    gl.glClear(gl.GL_COLOR_BUFFER_BIT)


def lock_window() -> None:
    """Kivy's developer surface off on a live window: no debug module stays active (whatever a config.ini in
    KIVY_HOME listed), Esc does not quit, and there is no mouse cursor (``env.prepare`` sets the same in
    Config before the window exists, so it never shows at all)."""
    from kivy.config import Config
    from kivy.modules import Modules

    for name in Config.options("modules"):
        Config.remove_option("modules", name)
    Modules.update()  # deactivates any module already started on this window
    Config.set("kivy", "exit_on_escape", "0")
    Window.show_cursor = False


class KioskApp(App):
    """The terminal's window. With ``options.lockdown`` (every production start) nothing in it is Kivy's own
    developer surface: no settings panel and no F1 binding for it, no debug module (inspector, monitor,
    keybinding, screen…), Esc never quits, the window cannot be closed and the mouse cursor is hidden."""

    theme = ObjectProperty(None)
    language = StringProperty("zh_CN")

    def __init__(self, port: FlowPort, options: UiOptions | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        options = options or UiOptions()
        self.options = options
        self.port = port
        self.font = register_font(options.font)
        self.translator = Translator(options.language)
        self.language = options.language
        self.theme = Theme(elder_scale=options.elder_font_scale, portrait=options.orientation == "portrait",
                           font_path=str(self.font.path))
        self.screens: dict[str, BaseScreen] = {}
        self.current_vm: ViewModel | None = None
        self.on_shown: list[Callable[[str], None]] = []  # tests/bench: called after a screen is shown
        self._last_touch = 0.0
        self.entered = False  # the citizen typed, captured or signed something this session (退出 asks first)
        self.bridge: Bridge | None = None
        if options.lockdown:
            self.use_kivy_settings = False  # not even in a panel opened some other way

    # ----- build --------------------------------------------------------------------------------
    def build(self) -> FloatLayout:
        from screens.widgets.chrome import BottomBar, ExitConfirm, IdleOverlay, TechCorner
        from screens.widgets.keyboard import LexiconLoader, OnScreenKeyboard

        for name in SCREEN_MODULES:
            importlib.import_module(f"screens.{name}")
        root = FloatLayout()
        column = BoxLayout(orientation="vertical")
        self.manager = FlatScreenManager(transition=InstantTransition())
        self.bottom_bar = BottomBar()
        column.add_widget(self.manager)
        column.add_widget(self.bottom_bar)
        self.column = column
        self.ime_loader = LexiconLoader()
        self.keyboard: OnScreenKeyboard | None = None
        root.add_widget(column)
        self.overlay = IdleOverlay(on_continue=lambda: self.send(I.Touch()))
        self.exit_confirm = ExitConfirm(on_exit=self._confirmed_exit, on_stay=self.close_exit_confirm)
        corner = TechCorner(on_unlock=self.open_maintenance, armed=self.no_citizen, hold_s=self.options.tech_hold_s,
                            size_hint=(None, None), size=(120, 120), pos_hint={"x": 0, "top": 1})
        root.add_widget(corner)
        self.tech_corner = corner
        # The background is the window's clear colour, not a full-screen rectangle: on a software GL
        # (llvmpipe) every full-screen blended quad costs a large share of a frame at 1080×1920.
        Window.clearcolor = self.theme.bg
        self.theme.bind(bg=lambda _t, c: setattr(Window, "clearcolor", c))
        Window.clear = _clear_colour_only
        root.bind(on_touch_down=self._any_touch)
        if not self.options.lockdown:
            Window.show_cursor = True  # a developer window (env.prepare hides it by default)
        else:
            lock_window()
            Window.bind(on_request_close=lambda *_a, **_k: True, on_keyboard=self._on_keyboard)
        self.bridge = Bridge(self.port, self.show, self.show_idle)
        self.root_widget = root
        return root

    def attach(self, port: FlowPort) -> None:
        """Switch to another flow port (tests and the demo: scripted story ↔ the real flow runtime)."""
        if self.bridge is not None:
            self.bridge.close()
        self.port = port
        self.bridge = Bridge(port, self.show, self.show_idle)

    # ----- view-models in -----------------------------------------------------------------------
    def show(self, vm: ViewModel) -> None:
        if isinstance(vm, AttractVM):
            self.session_over()
        elif vm.kind == "receipt":
            self.entered = False  # accepted: nothing is lost by leaving now
        if vm.elder_mode != self.theme.elder:
            self.theme.elder = vm.elder_mode
        screen = self.screen_for(vm.kind)
        if self.manager.current != screen.name:
            self.hide_keyboard()
        screen.render(vm)
        self.current_vm = vm
        if self.manager.current != screen.name:
            self.manager.current = screen.name
        self.bottom_bar.hidden = vm.kind == "attract"
        for hook in list(self.on_shown):
            hook(vm.kind)

    def screen_for(self, kind: str) -> BaseScreen:
        if kind not in self.screens:
            cls = REGISTRY.get(kind) or REGISTRY["message"]
            screen = cls()
            self.screens[kind] = screen
            self.manager.add_widget(screen)
        return self.screens[kind]

    def show_idle(self, vm: IdleWarningVM | None) -> None:
        if vm is None:
            if self.overlay.parent is not None:
                self.root_widget.remove_widget(self.overlay)
            return
        self.overlay.seconds_left = vm.seconds_left
        self.overlay.text = self.tr(vm.text).replace("{n}", str(vm.seconds_left))
        if self.overlay.parent is None:
            self.root_widget.add_widget(self.overlay)

    # ----- on-screen keyboard -------------------------------------------------------------------
    def keyboard_for(self, target: Any, mode: str = "pinyin", hint: str = "") -> Any:
        """Dock the on-screen keyboard above the bottom bar, typing into ``target`` (a TextInput); ``hint="name"``
        for a person's name (kiosk.ime.names: 90.5 % first-candidate right on names against 78 % without)."""
        from screens.widgets.keyboard import OnScreenKeyboard

        if self.keyboard is None:
            self.keyboard = OnScreenKeyboard(self.ime_loader, on_done=self.hide_keyboard)
        keyboard = self.keyboard
        previous = keyboard.target
        if previous is not None and previous is not target and hasattr(previous, "end_typing"):
            previous.end_typing()
        keyboard.target = target
        if hasattr(target, "begin_typing"):
            target.begin_typing()  # a masked number shows its digits while it is typed
        keyboard.set_hint(hint)
        if keyboard.mode != mode:
            keyboard.set_mode(mode)
        if keyboard.parent is None:
            self.column.add_widget(keyboard, index=1)
        return keyboard

    def hide_keyboard(self) -> None:
        keyboard = self.keyboard
        if keyboard is None or keyboard.parent is None:
            return
        target, keyboard.target = keyboard.target, None
        self.column.remove_widget(keyboard)
        if target is not None:
            target.focus = False
            if hasattr(target, "end_typing"):
                target.end_typing()
            committed = getattr(target, "on_committed", None)
            if callable(committed):
                committed(target.text)

    # ----- intents out --------------------------------------------------------------------------
    def send(self, intent: I.Intent) -> None:
        if isinstance(intent, ENTRY_INTENTS):
            self.entered = True
        self.port.send(intent)

    def no_citizen(self) -> bool:
        """No citizen is being served: the idle screen (or the technician's own pad) is up."""
        return self.current_vm is None or self.current_vm.kind in ("attract", "maintenance")

    def session_over(self) -> None:
        """The attract screen: the next citizen starts afresh — the configured language, nothing entered, no
        modal left open (elder mode follows the view-model, which is standard again)."""
        self.entered = False
        self.close_exit_confirm()
        for shown in self.screens.values():  # screens that keep what a citizen typed forget it
            forget = getattr(shown, "session_over", None)
            if callable(forget):
                forget()
        if self.language != self.options.language:  # no re-render: the attract screen is rendered next
            self.translator.switch(self.options.language)
            self.language = self.options.language

    def has_entries(self) -> bool:
        keyboard = self.keyboard
        typing = keyboard is not None and keyboard.parent is not None and keyboard.target is not None and bool(keyboard.target.text)
        screen = self.screens.get(self.current_vm.kind) if self.current_vm is not None else None
        kept = getattr(screen, "has_entries", None)  # a service screen holding text not sent yet (a complaint)
        return self.entered or typing or (callable(kept) and bool(kept()))

    def _any_touch(self, _root: Any, _touch: Any) -> bool:
        """A session's keep-alive. Not on attract: there is no session yet, and a Touch there starts one — which
        is the attract screen's own decision (a tap, not a long press)."""
        if isinstance(self.current_vm, AttractVM):
            return False
        now = time.monotonic()
        if now - self._last_touch > 1.0:  # at most one keep-alive a second
            self._last_touch = now
            self.send(I.Touch())
        return False

    def help_pressed(self) -> None:
        self.send(I.Help())

    def toggle_elder(self) -> None:
        self.send(I.ToggleElder())

    def cancel_pressed(self) -> None:
        """退出: at once when nothing was entered, else after 确定退出 in the confirmation."""
        if not self.has_entries():
            self.send(I.Cancel())
        elif self.exit_confirm.parent is None:
            self.root_widget.add_widget(self.exit_confirm)

    def close_exit_confirm(self) -> None:
        if self.exit_confirm.parent is not None:
            self.root_widget.remove_widget(self.exit_confirm)

    def _confirmed_exit(self) -> None:
        self.close_exit_confirm()
        keyboard = self.keyboard
        if keyboard is not None and keyboard.target is not None:  # what was being typed is dropped, not committed
            keyboard.target.focus, keyboard.target = False, None
        self.hide_keyboard()
        self.send(I.Cancel())

    def toggle_language(self) -> None:
        self.set_language("en" if self.language.startswith("zh") else "zh_CN")

    def set_language(self, language: str) -> None:
        self.translator.switch(language)  # first: setting the property re-evaluates every kv text at once
        self.language = language
        if self.current_vm is not None:  # re-render: labels built in Python pick up the language
            self.show(self.current_vm)

    def tr(self, text: str, _language: str = "") -> str:
        """Translate; kv rules pass ``app.language`` as the 2nd argument so they re-evaluate on a switch."""
        return self.translator(text)

    def open_maintenance(self) -> None:
        """The technician gesture: show the PIN/TOTP pad locally; the code goes to the flow layer as an intent."""
        screen = self.screen_for("maintenance")
        screen.open_login()
        self.manager.current = screen.name
        for hook in list(self.on_shown):
            hook("maintenance")

    # ----- lockdown -----------------------------------------------------------------------------
    def open_settings(self, *largs: Any) -> bool:
        """Kivy's settings panel (fullscreen, rotation, log level…) never opens in front of a citizen."""
        return False if self.options.lockdown else bool(super().open_settings(*largs))

    def _install_settings_keys(self, window: Any) -> None:
        """Kivy binds F1 → settings in ``run()`` after ``build()``, ahead of our own key handler: skip it."""
        if not self.options.lockdown:
            super()._install_settings_keys(window)

    def _on_keyboard(self, _window: Any, key: int, _scancode: int, _codepoint: str, modifiers: list[str]) -> bool:
        if key in BLOCKED_KEYS or 282 <= key <= 293:  # Esc/back, F1–F12
            return True
        return "alt" in modifiers and key in (9, 285)  # Alt+Tab, Alt+F4

    # ----- screenshots --------------------------------------------------------------------------
    def screenshot(self, path: Path) -> Path:
        """Write the current frame to ``path`` (Kivy appends a counter; we rename it back)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        # Draw the current tree into the back buffer first: after a flip the back buffer's content is
        # undefined (an older frame on llvmpipe), so reading it directly could show a stale screen.
        Window.dispatch("on_draw")
        written = Window.screenshot(name=str(path))  # writes <stem>0001.png
        Window.dispatch("on_flip")
        Path(written).replace(path)
        return path
