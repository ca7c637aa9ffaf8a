"""Suite-wide settings: headless Kivy, a private data dir, no user config leaking in."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ["KIOSK_DATA_DIR"] = tempfile.mkdtemp(prefix="kiosk-data-")
os.environ.pop("KIOSK_CONFIG", None)
