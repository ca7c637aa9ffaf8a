"""``kiosk ui --demo`` with a display: the terminal itself (``TerminalApp`` — flow engine, embedded
platform, fleet, maintenance — with the screens) on the sim devices of the embedded configuration,
in a window with the developer panel (``sim.ui.panel``). Data go where the config's ``terminal.data_dir``
says (``sim.config.demo_config``: the demo's per-user state dir unless the file names one)."""

from __future__ import annotations

import os
import subprocess
from typing import Any


def fit_scale(orientation: str, panel_w: int = 260) -> float:
    """The largest window scale ≤ 1 that fits the X display (a developer's monitor is rarely 1080×1920
    portrait); 1.0 when the display size cannot be read (xdotool missing, Wayland)."""
    try:
        out = subprocess.run(["xdotool", "getdisplaygeometry"], capture_output=True, text=True, timeout=5, check=True).stdout
        width, height = (int(v) for v in out.split()[:2])
    except (OSError, subprocess.SubprocessError, ValueError):
        return 1.0
    screen_w, screen_h = (1080, 1920) if orientation == "portrait" else (1920, 1080)
    return max(0.2, min(1.0, width / (screen_w + panel_w), (height - 60) / screen_h))  # 60 px: title bar, panel of a desktop


def run_window(config: Any, orientation: str | None = None, scale: float | None = None, control: str = "") -> int:
    from kiosk.logging_setup import configure_logging
    from screens.run_app import WindowOptions, run_with_screens

    if orientation:
        config = config.model_copy(update={"terminal": config.terminal.model_copy(update={"orientation": orientation})})
    if scale is None:
        scale = fit_scale(config.terminal.orientation)
    names = configure_logging(config.logging.level, None)  # the demo logs to the terminal it was started from
    return run_with_screens(config, names, WindowOptions(scale=scale), tools=lambda app, assembly, panel_w: _add_demo_tools(
        app, assembly, panel_w, control))


def _add_demo_tools(kiosk_app: Any, assembly: Any, panel_w: int, control: str) -> list[Any]:
    """The developer panel in the strip beside the screens, and the control socket when asked for (after build())."""
    from kivy.core.window import Window

    from kiosk.maint import totp
    from sim.ui.panel import DevPanel

    secret = assembly.config.maintenance.totp_secret
    code = (lambda: totp.totp(secret)) if secret else None
    root = kiosk_app.root_widget
    root.size_hint_x, root.width = None, Window.width - panel_w  # the terminal's screen keeps its own size
    panel = DevPanel(kiosk_app, assembly.terminal, code, size=(panel_w, Window.height), pos=(Window.width - panel_w, 0))
    Window.add_widget(panel)
    tools: list[Any] = [panel]
    if control:
        from sim.ui.control import ControlServer

        tools.append(ControlServer(control, kiosk_app, panel).start())
    return tools


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
