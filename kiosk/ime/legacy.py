"""The fallback pinyin composer (hand-built ranking), used only when librime is not installed.

Typing ``zhangsan`` segments into ``zhang'san``; the candidate bar offers phrases for the longest
prefix of syllables first, then the characters of the first syllable, each group ranked by
frequency. Choosing a candidate commits it and consumes its syllables, so a name is typed one
character at a time (张 then 三) and a rare character is reached by paging (䶮 under ``yan``) or
through the variants offered after its common form (吉 → 𠮷).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.ime.candidate import Candidate
from kiosk.ime.data import Lexicon


def segment(letters: str, syllables: frozenset[str]) -> list[str]:
    """Split letters into syllables, longest first with backtracking; the tail may be a partial syllable."""
    if not letters:
        return []
    for size in range(min(6, len(letters)), 0, -1):
        head = letters[:size]
        if head in syllables:
            rest = segment(letters[size:], syllables)
            if rest is not None and (not rest or "".join(rest) == letters[size:]):
                return [head, *rest]
    return [letters]  # a partial syllable ('zh'): shown as typed, matched by prefix


@dataclass
class LegacyComposer:
    lexicon: Lexicon
    letters: str = ""
    page_size: int = 8
    page: int = 0
    after: str = ""  # the last committed character: its variants are offered while nothing is typed
    _cache: list[Candidate] = field(default_factory=list, repr=False)

    # ----- input ------------------------------------------------------------------------------
    def type(self, letter: str) -> None:
        letter = letter.lower()
        if letter == "ü":
            letter = "v"
        if not (letter.isascii() and letter.isalpha() and len(letter) == 1):
            raise ValueError(f"not a pinyin letter: {letter!r}")
        self.letters += letter
        self._changed()

    def backspace(self) -> bool:
        """Remove one letter; False when there was nothing to remove (the field deletes instead)."""
        if not self.letters:
            self.after = ""
            return False
        self.letters = self.letters[:-1]
        self._changed()
        return True

    def clear(self) -> None:
        self.letters, self.after = "", ""
        self._changed()

    def choose(self, candidate: Candidate) -> str:
        """Commit a candidate; returns the text to insert into the field."""
        segments = self.segments()
        self.letters = "".join(segments[candidate.syllables:])
        self.after = candidate.text[-1] if candidate.text else ""
        self._changed()
        return candidate.text

    def next_page(self) -> None:
        if (self.page + 1) * self.page_size < len(self.candidates()):
            self.page += 1

    def prev_page(self) -> None:
        self.page = max(0, self.page - 1)

    # ----- output -----------------------------------------------------------------------------
    def segments(self) -> list[str]:
        return segment(self.letters, self.lexicon.syllables)

    @property
    def preedit(self) -> str:
        return "'".join(self.segments())

    def candidates(self) -> list[Candidate]:
        if not self._cache:
            self._cache = self._rank()
        return self._cache

    def visible(self) -> list[Candidate]:
        start = self.page * self.page_size
        return self.candidates()[start:start + self.page_size]

    def _changed(self) -> None:
        self.page = 0
        self._cache = []

    def _rank(self) -> list[Candidate]:
        lex = self.lexicon
        if not self.letters:
            return [Candidate(v, 0) for v in lex.variants.get(self.after, [])]
        segments = self.segments()
        found: list[Candidate] = []
        seen: set[str] = set()
        for count in range(len(segments), 1, -1):
            for phrase in lex.phrases.get("'".join(segments[:count]), []):
                if phrase not in seen:
                    seen.add(phrase)
                    found.append(Candidate(phrase, count))
        first = segments[0]
        if first in lex.chars:
            pool = lex.chars[first]
        else:  # partial syllable: every syllable it begins, ranked together by frequency
            pool = sorted({ch for s, cs in lex.chars.items() if s.startswith(first) for ch in cs},
                          key=lambda ch: (-lex.freq.get(ch, 0), ord(ch)))
        found.extend(Candidate(ch, 1) for ch in pool if ch not in seen)
        return found
