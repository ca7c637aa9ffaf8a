"""The screens on top of the assembled terminal: what ``kiosk run`` shows on the terminal's display.

A developer window (the simulators' ``kiosk ui --demo``) passes ``WindowOptions`` — a window instead of
full screen, lockdown off, a strip beside the screen — and ``tools``, which puts its own widgets (the
developer panel) into that strip once the app is built. The product itself knows no panel.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.assembly import Assembly
    from kiosk.privacy import SensitiveValues
    from kiosk.settings.model import TerminalConfig
    from screens.app import KioskApp
    from screens.options import UiOptions


@dataclass(frozen=True)
class WindowOptions:
    """A developer window: never full screen, lockdown off, ``side_panel`` reserves a strip right of the screen."""

    scale: float = 1.0  # < 1 shrinks the window (tests on a small Xvfb screen), keeping the aspect
    tech_hold_s: float = 2.0  # the technician corner's long press, shorter than on a terminal
    side_panel: bool = True


# (kiosk app, assembly, strip width in px) → things with close(), closed before the app stops
Tools = Callable[["KioskApp", "Assembly", int], list[Any]]


def fullscreen(config: TerminalConfig, window: WindowOptions | None = None) -> bool:
    """A terminal fills its screen as ``ui.fullscreen`` says; a developer window never does."""
    return config.ui.fullscreen and window is None


def ui_options(config: TerminalConfig, window: WindowOptions | None = None) -> UiOptions:
    """The screens' options from the config: orientation, start-up language, CJK font, elder scale, lockdown."""
    from screens.options import UiOptions

    return UiOptions(orientation=config.terminal.orientation, language=config.terminal.language, font=config.ui.font,
                     elder_font_scale=config.ui.elder_font_scale, lockdown=window is None,
                     **({"tech_hold_s": window.tech_hold_s} if window else {}))


def run_with_screens(config: TerminalConfig, names: SensitiveValues, window: WindowOptions | None = None,
                     tools: Tools | None = None) -> int:
    """Kivy is imported only here: the rest of the CLI runs without the UI extra."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from screens import env

    env.prepare(config.terminal.orientation, fullscreen=fullscreen(config, window), scale=window.scale if window else 1.0,
                lockdown=window is None)
    from kivy.clock import Clock

    panel_w = 0
    if window is not None and window.side_panel:
        from kivy.config import Config

        screen_w = Config.getint("graphics", "width")
        panel_w = max(160, min(300, int(screen_w * 0.24)))
        Config.set("graphics", "width", str(screen_w + panel_w))

    from kiosk.assembly import assemble
    from screens.app import KioskApp

    shots: list[bytes] = []

    def screenshot() -> bytes | None:
        """For the fleet's remote screenshot; called from its loop while Kivy draws on its own thread.
        Refused while a citizen is being served: the screen then shows personal data."""
        if app.runtime.controller is None or app.runtime.controller.session is not None:
            return None
        done = threading.Event()

        def grab(_dt: float) -> None:
            with tempfile.TemporaryDirectory() as tmp:
                shots.append(kiosk_app.screenshot(Path(tmp) / "screen.png").read_bytes())
            done.set()

        Clock.schedule_once(grab, 0)
        return shots.pop() if done.wait(5.0) and shots else None

    assembly = assemble(config, names=names, screenshot=screenshot)
    app = assembly.app.start(headless=False)
    kiosk_app = KioskApp(app.runtime, ui_options(config, window))
    for signum in (signal.SIGTERM, signal.SIGINT):  # systemd's stop, Ctrl+C on the demo: close devices (pcscd) first
        signal.signal(signum, lambda *_: app.exit_requested.set())
    Clock.schedule_interval(lambda _dt: app.tick(), 1.0)
    Clock.schedule_interval(lambda _dt: kiosk_app.stop() if app.exit_requested.is_set() else None, 1.0)
    closers: list[Any] = []
    if tools is not None:
        Clock.schedule_once(lambda _dt: closers.extend(tools(kiosk_app, assembly, panel_w)), 0)
    try:
        kiosk_app.run()
    finally:
        for closer in closers:
            closer.close()
        app.stop()
    return 0
