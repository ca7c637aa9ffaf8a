"""The demo's configuration: every device a ``sim:`` emulator, the platform ``embedded:``.

What ``make demo``, the simulators' commands and the tests run on when no ``--config`` is given. A
production terminal never sees it: its config is /etc/yukuaiban-kiosk/terminal.toml (kiosk.settings).
"""

from __future__ import annotations

from pathlib import Path

from kiosk.settings import load_config
from kiosk.settings.model import TerminalConfig

DEMO_CONFIG = Path(__file__).with_name("default.toml")


def demo_config(path: str | Path | None = None) -> TerminalConfig:
    """``path`` if given (``--config``), else the demo's embedded default."""
    return load_config(path or DEMO_CONFIG)
