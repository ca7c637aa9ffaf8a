"""Process set-up that must happen before the first kivy import: headless GL, no argv parsing, lockdown.

Why here and not in the app: Kivy reads its environment and Config at import time, and the window
size/fullscreen must be known before the window exists. ``prepare()`` is idempotent.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
_prepared = False


def _drop_clipboard_probe(record: logging.LogRecord) -> bool:
    """A kiosk has no X selection: Kivy's xclip/xsel cut-buffer probe failing is expected, not an error."""
    text = str(record.msg)
    return not (text.startswith(("Cutbuffer:", "xclip", "xsel")) or "Cutbuffer" in text)


def prepare(orientation: str = "portrait", fullscreen: bool = False, headless: bool | None = None,
            scale: float = 1.0, lockdown: bool = True) -> None:
    """Environment + kivy Config for our window; ``scale`` < 1 shrinks the window (tests) but keeps the aspect.

    ``lockdown`` (the default: a terminal) hides the mouse cursor from the first frame and starts no Kivy debug
    module; the app's ``lock_window`` repeats both on the live window (docs/lockdown.md)."""
    global _prepared
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")  # the default probes xsel/xclip and logs tracebacks
    # A view-model arriving from the flow thread (a Clock trigger) wakes the frame loop at once
    # instead of waiting for the next 60 fps slot: ~15 ms off every tap (bench/bench_ui.py).
    os.environ.setdefault("KIVY_CLOCK", "interrupt")
    if "KIVY_HOME" not in os.environ:
        os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-home-")
    if headless is None:
        headless = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    logging.getLogger("kivy").addFilter(_drop_clipboard_probe)
    if _prepared or "kivy.core.window" in sys.modules:
        _prepared = True
        return
    from kivy.config import Config

    width, height = PORTRAIT if orientation == "portrait" else LANDSCAPE
    Config.set("graphics", "width", str(int(width * scale)))
    Config.set("graphics", "height", str(int(height * scale)))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    # No multisampling (Kivy asks for 2×): on the terminals' software GL (Mesa llvmpipe) resolving the
    # multisampled 1080×1920 buffer cost ~20 ms of CPU every frame, two thirds of a frame, even with
    # nothing drawn (bench/bench_ui.py). Text is textures and the screens are axis-aligned rectangles; only
    # the few rounded corners and lines lose their edge smoothing. KIOSK_GL_MULTISAMPLES=2 brings it back
    # (a terminal with a GPU).
    Config.set("graphics", "multisamples", os.environ.get("KIOSK_GL_MULTISAMPLES", "0"))
    Config.set("kivy", "exit_on_escape", "0")  # lockdown: Esc never quits
    if lockdown:
        Config.set("graphics", "show_cursor", "0")
        for name in Config.options("modules"):  # inspector, monitor, keybinding, screen… (a config.ini may list them)
            Config.remove_option("modules", name)
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    _prepared = True
