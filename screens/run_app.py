"""The screens on top of ``kiosk.app.TerminalApp``: what ``kiosk run`` shows on the terminal's display."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path


def run_with_screens(config: "object", names: "object") -> int:
    """Kivy is imported only here: the rest of the CLI runs without the UI extra."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from screens import env

    env.prepare(config.terminal.orientation, fullscreen=config.ui.fullscreen)  # type: ignore[attr-defined]
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
    kiosk_app = KioskApp(app.runtime, UiOptions(orientation=config.terminal.orientation, lockdown=True,  # type: ignore[attr-defined]
                                                elder_font_scale=config.ui.elder_font_scale))  # type: ignore[attr-defined]
    Clock.schedule_interval(lambda _dt: app.tick(), 1.0)
    Clock.schedule_interval(lambda _dt: kiosk_app.stop() if app.exit_requested.is_set() else None, 1.0)
    try:
        kiosk_app.run()
    finally:
        app.stop()
    return 0
