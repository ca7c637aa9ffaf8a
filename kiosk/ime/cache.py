"""The built lexicon cached as SQLite under the user cache dir, keyed by the data's versions.

Why its own module: building (kiosk.ime.data) and storing (kiosk.ime.store) are separate jobs, and
the store reads back into a ``Lexicon``; only this module needs both, so neither imports the other.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from importlib import metadata
from pathlib import Path

from kiosk.ime import store
from kiosk.ime.data import FORMAT, UNIHAN_DIR, Lexicon, build

_lock = threading.Lock()


def _cache_key() -> str:
    # versions from the package metadata: importing jieba just for its version held ~19 MiB of RSS
    unihan = UNIHAN_DIR / "Unihan_Readings.txt.bz2"
    stamp = int(unihan.stat().st_mtime) if unihan.exists() else 0
    return f"v{FORMAT}-pypinyin{metadata.version('pypinyin')}-jieba{metadata.version('jieba')}-unihan{stamp}"


def load(cache_dir: Path | None = None) -> Lexicon:
    """The lexicon from the cached store, building (and storing) it on first use. Thread-safe."""
    from kiosk.fonts import cache_dir as font_cache

    directory = cache_dir or font_cache().parent
    path = directory / f"ime-{_cache_key()}.sqlite"
    with _lock:
        if path.is_file():
            try:
                return store.open_lexicon(path)
            except sqlite3.DatabaseError:
                pass  # a torn or foreign file: rebuild below
        lexicon = build()
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        store.write(lexicon, partial)
        partial.replace(path)
        return store.open_lexicon(path)
