"""Structured JSON-lines logging with personal data masked on every handler.

The mask runs in a ``logging.Filter`` attached to each handler we install, not to loggers, so a
record from any library or logger is scrubbed before it reaches disk or stderr. It masks the
formatted message, the exception text and every ``extra`` field; names the session has read are
masked through the ``SensitiveValues`` the session registers them with.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.privacy import SensitiveValues, mask_text, mask_value

#: Libraries whose INFO/DEBUG lines carry personal data: fontTools' subsetter lists the glyph ids of every character
#: it embeds (the applicant's name, decodable with the font), httpx/httpcore log request URLs with person tokens,
#: PIL and Kivy describe images and text. Capped at WARNING whatever the terminal's own level.
CAPPED_LOGGERS = ("fontTools", "httpx", "httpcore", "hpack", "PIL", "kivy", "urllib3", "escpos", "asyncio", "multipart", "sqlite_utils")

_RESERVED = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class MaskingFilter(logging.Filter):
    """Rewrites the record in place so that no formatter downstream can see raw PII."""

    def __init__(self, names: SensitiveValues) -> None:
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        known = self.names.snapshot()
        record.msg = mask_text(record.getMessage(), known)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text, known)
        record.exc_info = None
        for key, value in list(vars(record).items()):
            if key not in _RESERVED:
                setattr(record, key, mask_value(key, value, known))
        return True


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created)) + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_text:
            entry["exc"] = record.exc_text
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in entry:
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", file: str | Path | None = None, *, max_mb: int = 20, keep_files: int = 10) -> SensitiveValues:
    """Install JSON-lines handlers on the root logger; returns the session's name registry."""
    names = SensitiveValues()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if file:
        path = Path(file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(path, maxBytes=max_mb * 1024 * 1024, backupCount=keep_files, encoding="utf-8"))
    for handler in handlers:
        handler._kiosk = True  # type: ignore[attr-defined]
        handler.addFilter(MaskingFilter(names))
        handler.setFormatter(JsonLinesFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    cap_third_party()
    return names


def cap_third_party(level: int = logging.WARNING) -> None:
    """Raise each library logger in ``CAPPED_LOGGERS`` to at least ``level`` (a stricter level set elsewhere stays)."""
    for name in CAPPED_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < level or logger.level == logging.NOTSET:
            logger.setLevel(max(level, logger.level))
