"""Where the terminal's log goes, read once from ``[logging]`` (the app's logging set-up and the fleet's log upload agree)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.settings.model import TerminalConfig


@dataclass(frozen=True)
class LogPlan:
    """Where the JSON-lines log goes (``file`` None: stderr only), read from ``[logging]``."""

    level: str
    file: Path | None
    max_mb: int
    keep_files: int

    @classmethod
    def of(cls, config: TerminalConfig) -> LogPlan:
        section = config.logging
        default = config.terminal.data_path() / "logs" / "kiosk.jsonl"
        file = None if section.file == "-" else Path(section.file) if section.file else default
        return cls(section.level, file, section.max_mb, section.keep_files)
