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

    from kiosk.app import TerminalApp
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
        Clock.schedule_once(lambda _dt: closers.extend(_add_demo_tools(kiosk_app, app.runtime.terminal, demo)), 0)
    try:
        kiosk_app.run()
    finally:
        for closer in closers:
            closer.close()  # type: ignore[attr-defined]
        app.stop()
    return 0


def _add_demo_tools(kiosk_app: "object", terminal: "object", demo: DemoOptions) -> list[object]:
    """The developer panel over the screens, and the control socket when asked for (after build())."""
    from screens.demo.panel import DevPanel

    panel = DevPanel(kiosk_app, terminal)
    kiosk_app.root_widget.add_widget(panel)  # type: ignore[attr-defined]
    tools: list[object] = [panel]
    if demo.control:
        from screens.demo.control import ControlServer

        tools.append(ControlServer(demo.control, kiosk_app, panel).start())
    return tools
