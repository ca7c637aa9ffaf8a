"""The demo's configuration: every device a ``sim:`` emulator, the platform ``embedded:``.

What ``make demo`` and the simulators' commands run on when no ``--config`` is given. A production
terminal never sees it: its config is /etc/yukuaiban-kiosk/terminal.toml (kiosk.settings).

The data dir is chosen here, not by the product: a production terminal's default
(/var/lib/yukuaiban-kiosk, the unit's StateDirectory) is not writable for a developer, so the demo
keeps its store, keys and sessions in ``~/.local/state/yukuaiban-kiosk-demo`` of whoever runs it
(root included) — unless the config file or the caller names one (tests: their tmp dir).
"""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.settings import load_config
from kiosk.settings.model import TerminalConfig

DEMO_CONFIG = Path(__file__).with_name("default.toml")


def demo_data_dir() -> Path:
    """The demo's per-user state dir (the home directory of the user running it, no environment variable)."""
    return Path.home() / ".local" / "state" / "yukuaiban-kiosk-demo"


def with_data_dir(config: TerminalConfig, data_dir: str | Path) -> TerminalConfig:
    return config.model_copy(update={"terminal": config.terminal.model_copy(update={"data_dir": str(data_dir)})})


def demo_config(path: str | Path | None = None, *, data_dir: str | Path | None = None) -> TerminalConfig:
    """``path`` if given (``--config``), else the demo's embedded default; its data dir is ``data_dir``
    if given, else the file's ``terminal.data_dir``, else ``demo_data_dir()``."""
    config = load_config(path or DEMO_CONFIG)
    return with_data_dir(config, data_dir or config.terminal.data_dir or demo_data_dir())


def write_demo_config(target: str | Path, data_dir: str | Path) -> Path:
    """The demo's config file with ``data_dir`` written into it, for a ``kiosk --config FILE`` process."""
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    marker = "\n[session]"
    assert marker in text and "\ndata_dir" not in text, "the demo config's [terminal] table ends before [session]"
    target = Path(target)
    target.write_text(text.replace(marker, f"\ndata_dir = {json.dumps(str(data_dir))}\n{marker}", 1), encoding="utf-8")
    return target
