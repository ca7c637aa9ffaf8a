"""The composer behind the on-screen keyboard: letters in, ranked candidates out, one page at a time.

Why a facade: the ranking is librime's (kiosk.ime.rime_engine) or, only when librime is missing,
the fallback's (kiosk.ime.legacy); the keyboard pages, chooses and deletes the same way over either.
An :class:`InputMethod` is loaded once per process (``kiosk.ime.load``); each keyboard opens its own
session through ``Composer(method)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from kiosk.ime.candidate import Candidate


class Session(Protocol):
    """One composition: what the keyboard has typed since the last commit."""

    hint: str  # "" or "name" (kiosk.ime.names); an engine may ignore it

    @property
    def letters(self) -> str: ...

    @property
    def preedit(self) -> str: ...

    def type(self, letter: str) -> None: ...

    def backspace(self) -> bool: ...

    def clear(self) -> None: ...

    def choose(self, candidate: Candidate) -> str: ...

    def candidates(self, limit: int) -> list[Candidate]: ...

    def close(self) -> None: ...


class InputMethod(ABC):
    """A loaded engine: ``name`` (librime or fallback) and, for a fallback, why (kiosk ime status)."""

    name: str = ""
    reason: str = ""

    @abstractmethod
    def session(self) -> Session: ...


def pinyin_letter(letter: str) -> str:
    """The key as librime and the fallback expect it: lower case, ü typed as v; ValueError otherwise."""
    letter = letter.lower()
    if letter == "ü":
        letter = "v"
    if not (letter.isascii() and letter.isalpha() and len(letter) == 1):
        raise ValueError(f"not a pinyin letter: {letter!r}")
    return letter


class Composer:
    """The keyboard's view of a session: pages of ``page_size`` candidates."""

    def __init__(self, method: InputMethod, page_size: int = 8) -> None:
        self.method = method
        self._session = method.session()
        self.page_size = page_size
        self.page = 0
        self._shown: list[Candidate] = []
        self._complete = False

    # ----- input ------------------------------------------------------------------------------
    @property
    def hint(self) -> str:
        return self._session.hint

    @hint.setter
    def hint(self, value: str) -> None:
        """``"name"`` while the keyboard types into a name field: the bar offers a guessed name first."""
        self._session.hint = value
        self._changed()

    def type(self, letter: str) -> None:
        self._session.type(pinyin_letter(letter))
        self._changed()

    def backspace(self) -> bool:
        """Remove one letter; False when there was nothing to remove (the field deletes instead)."""
        removed = self._session.backspace()
        self._changed()
        return removed

    def clear(self) -> None:
        self._session.clear()
        self._changed()

    def choose(self, candidate: Candidate) -> str:
        """Choose a candidate; returns the text to insert into the field ('' while a phrase is still
        being assembled, as in 张 of zhangsan: the whole 张三 is inserted when its last part is chosen)."""
        text = self._session.choose(candidate)
        self._changed()
        return text

    def next_page(self) -> None:
        if len(self._fetch((self.page + 2) * self.page_size)) > (self.page + 1) * self.page_size:
            self.page += 1

    def prev_page(self) -> None:
        self.page = max(0, self.page - 1)

    def close(self) -> None:
        self._session.close()

    # ----- output -----------------------------------------------------------------------------
    @property
    def letters(self) -> str:
        return self._session.letters

    @property
    def preedit(self) -> str:
        return self._session.preedit

    def candidates(self, limit: int = 1000) -> list[Candidate]:
        return self._fetch(limit)[:limit]

    def visible(self) -> list[Candidate]:
        start = self.page * self.page_size
        return self._fetch(start + self.page_size)[start:start + self.page_size]

    def _fetch(self, count: int) -> list[Candidate]:
        if len(self._shown) < count and not self._complete:
            want = max(count, 2 * len(self._shown), 20)
            self._shown = self._session.candidates(want)
            self._complete = len(self._shown) < want
        return self._shown

    def _changed(self) -> None:
        self.page = 0
        self._shown = []
        self._complete = False
