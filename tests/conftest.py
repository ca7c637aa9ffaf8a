"""Suite-wide settings: headless Kivy, no user config leaking in.

No data dir here: a test names its own in the config it builds (``sim.config.demo_config(data_dir=tmp_path)``,
or ``write_demo_config(file, data_dir)`` for a ``kiosk --config FILE`` process) — no environment variable decides it.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.pop("KIOSK_CONFIG", None)
