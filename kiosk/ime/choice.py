"""Which input method this terminal runs: librime, or — only when librime cannot start — the fallback.

The choice and its reason are kept (``status``) so ``kiosk ime status`` and the doctor can say why a
terminal guesses worse; the fallback is announced with one WARNING line.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.ime.candidate import Candidate
from kiosk.ime.engine import InputMethod, Session
from kiosk.ime.rime import RimeUnavailable

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict[str, InputMethod] = {}


@dataclass(frozen=True)
class ImeStatus:
    engine: str  # "librime" | "fallback" | "not loaded"
    detail: str


class LegacyInputMethod(InputMethod):
    """The hand-built ranking (kiosk.ime.legacy) over the cached pypinyin/jieba/Unihan lexicon."""

    name = "fallback"

    def __init__(self, reason: str, cache_dir: Path | None = None) -> None:
        from kiosk.ime.cache import load as load_lexicon

        self.lexicon = load_lexicon(cache_dir)
        self.reason = reason

    def session(self) -> Session:
        return LegacySession(self)


class LegacySession:
    def __init__(self, method: LegacyInputMethod) -> None:
        from kiosk.ime.legacy import LegacyComposer

        self.composer = LegacyComposer(method.lexicon)
        self.hint = ""  # the fallback has no name guesser

    @property
    def letters(self) -> str:
        return self.composer.letters

    @property
    def preedit(self) -> str:
        return self.composer.preedit

    def type(self, letter: str) -> None:
        self.composer.type(letter)

    def backspace(self) -> bool:
        return self.composer.backspace()

    def clear(self) -> None:
        self.composer.clear()

    def choose(self, candidate: Candidate) -> str:
        return self.composer.choose(candidate)

    def candidates(self, limit: int) -> list[Candidate]:
        return self.composer.candidates()[:limit]

    def close(self) -> None:
        self.composer.clear()


def load(cache_dir: Path | None = None) -> InputMethod:
    """The process's input method (loaded once; thread-safe): librime, else the fallback."""
    key = str(cache_dir or "")
    with _lock:
        if key not in _loaded:
            try:
                from kiosk.ime.rime_engine import RimeInputMethod

                _loaded[key] = RimeInputMethod(cache_dir)
            except RimeUnavailable as exc:
                log.warning("IME: librime unavailable, using the fallback ranking: %s", exc)
                _loaded[key] = LegacyInputMethod(str(exc), cache_dir)
        return _loaded[key]


def status() -> ImeStatus:
    """What ``load`` chose, without loading anything."""
    with _lock:
        if not _loaded:
            return ImeStatus("not loaded", "")
        method = next(iter(_loaded.values()))
        return ImeStatus(method.name, method.reason)
