"""Search keys for the home screen: a name matches its characters, full pinyin and initials (sbjf → 社保缴费)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchKey:
    text: str
    full: str      # 'shebaojiaofei'
    initials: str  # 'sbjf'


def search_key(text: str) -> SearchKey:
    from pypinyin import Style, lazy_pinyin  # here, not at import: its dictionaries are ~55 MiB of RSS

    syllables = [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore")]
    return SearchKey(text, "".join(syllables), "".join(s[0] for s in syllables if s))


def matches(query: str, key: SearchKey) -> int:
    """0 = no match; higher is better (exact initials > prefix > substring of characters/pinyin)."""
    q = query.strip().lower().replace(" ", "")
    if not q:
        return 0
    if q in key.text:
        return 4 if key.text.startswith(q) else 3
    if q.isascii():
        if key.initials.startswith(q):
            return 3
        if key.full.startswith(q) or q in key.initials:
            return 2
        if q in key.full:
            return 1
    return 0


def search(query: str, keys: Iterable[SearchKey], limit: int = 10) -> Sequence[SearchKey]:
    scored = [(matches(query, k), i, k) for i, k in enumerate(keys)]
    return [k for score, _, k in sorted(scored, key=lambda t: (-t[0], t[1])) if score > 0][:limit]
