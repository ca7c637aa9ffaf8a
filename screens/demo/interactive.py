"""``kiosk ui``: the kiosk window. With a display it is interactive (lockdown on unless --demo adds the
developer panel); without one, ``--demo`` renders the headless demo into out/demo instead."""

from __future__ import annotations

import os
from typing import Any


def run_window(orientation: str = "portrait", demo: bool = True, fullscreen: bool = False,
               config: Any = None, devices: bool = True, story: bool = False) -> int:
    """The window on the real flow engine (``kiosk.flows.port.FlowRuntime``: Controller + devices +
    platform on its own loop thread); ``story=True`` uses the scripted StoryPort instead."""
    from screens import env

    env.prepare(orientation, fullscreen=fullscreen)
    from kivy.clock import Clock

    from screens.app import KioskApp, UiOptions
    from screens.demo.story import StoryPort

    runtime = host = None
    if story:
        if demo and devices and config is not None:
            from screens.demo.panel import DeviceHost

            host = DeviceHost(config)
        port: Any = StoryPort(hall=config.terminal.hall if config is not None else "渝北区政务服务中心（演示）",
                              speak=_speaker(host))
    else:
        from kiosk.flows.port import FlowRuntime

        runtime = port = FlowRuntime(config).start()
    app = KioskApp(port, UiOptions(orientation=orientation, lockdown=not demo,
                                   elder_font_scale=config.ui.elder_font_scale if config is not None else 1.6))
    if demo:
        from screens.demo.panel import DevPanel

        terminal = runtime.terminal if runtime is not None else (host.terminal if host is not None else None)
        Clock.schedule_once(lambda _dt: app.root_widget.add_widget(DevPanel(port, terminal)), 0)
    try:
        app.run()
    finally:
        if runtime is not None:
            runtime.stop()
        if host is not None:
            host.stop()
    return 0


def _speaker(host: Any) -> Any:
    """Elder mode speaks through the Speaker device (the flow layer's job; the demo story does it here)."""
    if host is None or host.terminal.speaker is None:  # (the real Controller speaks itself)
        return None
    import asyncio

    def speak(text: str) -> None:
        asyncio.run_coroutine_threadsafe(host.terminal.speaker.speak(text), host.loop)  # type: ignore[union-attr]

    return speak


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
