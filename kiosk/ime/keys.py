"""Pinyin search forms (full pinyin, initials) of item names, cached on disk so pypinyin stays out of memory.

Why a cache: pypinyin loads its whole phrase dictionary on import (~55 MiB of RSS, for the life of the
process), yet the search index only needs the pinyin of a few hundred catalog names, which change when
the catalog does. The forms are computed once with pypinyin (exactly ``lazy_pinyin`` as before) and kept
in a small JSON file keyed by pypinyin's version; a terminal whose catalog is unchanged never imports it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

_FORMAT = 1
_lock = threading.Lock()


def compute(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``text`` as the search index has always keyed it: 社保缴费 → (shebaojiaofei, sbjf)."""
    from pypinyin import Style, lazy_pinyin

    full = "".join(lazy_pinyin(text, errors="ignore")).lower()
    initials = "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if p).lower()
    return full, initials


def _cache_file(cache_dir: Path | None) -> Path:
    from kiosk.fonts import cache_dir as font_cache

    try:
        version = metadata.version("pypinyin")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return (cache_dir or font_cache().parent) / f"pinyin-keys-v{_FORMAT}-pypinyin{version}.json"


def pinyin_forms(texts: Iterable[str], cache_dir: Path | None = None) -> dict[str, tuple[str, str]]:
    """text → (full pinyin, initials) for every text; only texts missing from the cache import pypinyin."""
    wanted = list(dict.fromkeys(texts))
    path = _cache_file(cache_dir)
    with _lock:
        try:
            cached = {k: (v[0], v[1]) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            cached = {}  # absent, torn or stale: computed again below
        missing = [t for t in wanted if t not in cached]
        if missing:
            cached.update((t, compute(t)) for t in missing)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(f".{os.getpid()}.tmp")
                partial.write_text(json.dumps(cached, ensure_ascii=False), encoding="utf-8")
                partial.replace(path)
            except OSError:
                pass  # a read-only cache dir: correct, just computed again next start
    return {t: cached[t] for t in wanted}
