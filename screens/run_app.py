"""The screens on top of ``kiosk.app.TerminalApp``: what ``kiosk run`` shows on the terminal's display,
and — with ``demo`` — the same terminal on emulated devices with the developer panel (``kiosk ui --demo``)."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DemoOptions:
    """``kiosk ui --demo``: a window (never full screen, lockdown off) with the developer panel."""

    scale: float = 1.0  # < 1 shrinks the window (tests on a small Xvfb screen), keeping the aspect
    control: str = ""  # a Unix socket path for screens.demo.control (automated runs), or ""
    tech_hold_s: float = 2.0  # the technician corner's long press, shorter than on a terminal


def run_with_screens(config: "object", names: "object", demo: DemoOptions | None = None) -> int:
    """Kivy is imported only here: the rest of the CLI runs without the UI extra."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from screens import env

    fullscreen = config.ui.fullscreen and demo is None  # type: ignore[attr-defined]
    env.prepare(config.terminal.orientation, fullscreen=fullscreen, scale=demo.scale if demo else 1.0)  # type: ignore[attr-defined]
    from kivy.clock import Clock

    panel_w = 0
    if demo is not None:  # the developer panel gets its own strip right of the terminal's screen
        from kivy.config import Config

        screen_w = Config.getint("graphics", "width")
        panel_w = max(160, min(300, int(screen_w * 0.24)))
        Config.set("graphics", "width", str(screen_w + panel_w))

    from kiosk.app import TerminalApp
    from kiosk.maint import totp
    from screens.app import KioskApp, UiOptions

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

    app = TerminalApp(config, names, screenshot=screenshot).start(headless=False)  # type: ignore[arg-type]
    options = UiOptions(orientation=config.terminal.orientation, lockdown=demo is None,  # type: ignore[attr-defined]
                        elder_font_scale=config.ui.elder_font_scale,  # type: ignore[attr-defined]
                        **({"tech_hold_s": demo.tech_hold_s} if demo else {}))
    kiosk_app = KioskApp(app.runtime, options)
    for signum in (signal.SIGTERM, signal.SIGINT):  # systemd's stop, Ctrl+C on the demo: close devices (pcscd) first
        signal.signal(signum, lambda *_: app.exit_requested.set())
    Clock.schedule_interval(lambda _dt: app.tick(), 1.0)
    Clock.schedule_interval(lambda _dt: kiosk_app.stop() if app.exit_requested.is_set() else None, 1.0)
    closers: list[object] = []
    if demo is not None:
        secret = config.maintenance.totp_secret  # type: ignore[attr-defined]
        code = (lambda: totp.totp(secret)) if secret else None
        Clock.schedule_once(lambda _dt: closers.extend(_add_demo_tools(kiosk_app, app.runtime.terminal, demo, panel_w, code)), 0)
    try:
        kiosk_app.run()
    finally:
        for closer in closers:
            closer.close()  # type: ignore[attr-defined]
        app.stop()
    return 0


def _add_demo_tools(kiosk_app: "object", terminal: "object", demo: DemoOptions, panel_w: int, code: "object" = None) -> list[object]:
    """The developer panel beside the screens, and the control socket when asked for (after build())."""
    from kivy.core.window import Window

    from screens.demo.panel import DevPanel

    root = kiosk_app.root_widget  # type: ignore[attr-defined]
    root.size_hint_x, root.width = None, Window.width - panel_w  # the terminal's screen keeps its own size
    panel = DevPanel(kiosk_app, terminal, code, size=(panel_w, Window.height), pos=(Window.width - panel_w, 0))  # type: ignore[arg-type]
    Window.add_widget(panel)
    tools: list[object] = [panel]
    if demo.control:
        from screens.demo.control import ControlServer

        tools.append(ControlServer(demo.control, kiosk_app, panel).start())
    return tools
