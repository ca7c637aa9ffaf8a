"""The same terminal app with lockdown off (a developer window): the lockdown test's negative control.

``python -m tests.system.unlocked_app CONFIG`` — what ``kiosk run --config CONFIG`` starts, but through
``run_with_screens(..., WindowOptions(...))``, the only difference being ``UiOptions.lockdown`` false. If the
injected F1 changes this screen and not the locked one, the keys do reach the app.
"""

from __future__ import annotations

import sys

from kiosk.logging_setup import configure_logging
from kiosk.settings import load_config
from screens.run_app import WindowOptions, run_with_screens

if __name__ == "__main__":
    config = load_config(sys.argv[1])
    sys.exit(run_with_screens(config, configure_logging("INFO", None), WindowOptions(side_panel=False)))
