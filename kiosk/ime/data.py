"""The IME's dictionary, built from well-kept libraries' data and cached — nothing is hand-typed.

* readings: pypinyin's ``pinyin_dict`` (characters) and ``phrases_dict`` (phrases), plus Unihan
  ``kMandarin`` (Debian ``unicode-data``) for characters pypinyin lacks;
* characters with no reading at all (𠮷) inherit the reading of the character Unihan names as their
  variant (𠮷 → 吉) and are listed right after it, so a rare character in a name is always reachable;
* frequency: jieba's word frequencies (a character's weight is the summed frequency of the words
  it occurs in), so the candidate bar puts 张 before 章 before 䶮.

Building takes about a second, so the result is stored as SQLite under the user cache dir keyed by
the library versions (kiosk.ime.cache, kiosk.ime.store: read in place, not unpickled into ~19 MiB of Python objects);
the UI opens it off the UI thread when the keyboard is first shown.
"""

from __future__ import annotations

import bz2
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

UNIHAN_DIR = Path("/usr/share/unicode")
_VARIANT_KEYS = ("kSpoofingVariant", "kZVariant", "kSemanticVariant", "kSpecializedSemanticVariant")
FORMAT = 5  # bump when the stored layout changes: the cache file name carries it


def toneless(syllable: str) -> str:
    """'lǚ' → 'lv', 'zhāng' → 'zhang': what a citizen types on a QWERTY keyboard."""
    syllable = syllable.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass
class Lexicon:
    """Toneless syllable → characters, syllable key ('zhang'san') → phrases, both ranked by frequency.

    Built, the values are lists; loaded from the store, a syllable's characters are one string and
    phrases/variants are read from SQLite on lookup (kiosk.ime.store) — the composer only iterates them.
    """

    chars: Mapping[str, Sequence[str]] = field(default_factory=dict)
    phrases: Mapping[str, Sequence[str]] = field(default_factory=dict)
    variants: Mapping[str, Sequence[str]] = field(default_factory=dict)  # 吉 → [𠮷]
    freq: Mapping[str, int] = field(default_factory=dict)

    @property
    def syllables(self) -> frozenset[str]:
        return frozenset(self.chars)


def _jieba_dict() -> Path:
    import jieba

    return Path(jieba.__file__).parent / "dict.txt"


def _word_freq() -> tuple[dict[str, int], dict[str, int]]:
    words: dict[str, int] = {}
    chars: dict[str, int] = defaultdict(int)
    with open(_jieba_dict(), encoding="utf-8") as handle:
        for line in handle:
            parts = line.split(" ")
            if len(parts) < 2:
                continue
            word, count = parts[0], int(parts[1])
            words[word] = count
            for ch in word:
                chars[ch] += count
    return words, dict(chars)


def _unihan(name: str) -> list[tuple[str, str, str]]:
    path = UNIHAN_DIR / f"Unihan_{name}.txt.bz2"
    if not path.is_file():
        return []
    rows = []
    with bz2.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("U+"):
                code, key, value = line.rstrip("\n").split("\t", 2)
                rows.append((chr(int(code[2:], 16)), key, value))
    return rows


def build() -> Lexicon:
    """Build the lexicon from pypinyin, Unihan and jieba (about a second)."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    word_freq, char_freq = _word_freq()
    readings: dict[str, set[str]] = defaultdict(set)
    primary: dict[str, str] = {}  # a polyphone ranks by its frequency only under its main reading
    for code, value in pinyin_dict.items():
        for reading in value.split(","):
            readings[chr(code)].add(toneless(reading))
        primary[chr(code)] = toneless(value.split(",")[0])
    for ch, key, value in _unihan("Readings"):
        if key == "kMandarin" and ch not in readings:
            readings[ch].update(toneless(v) for v in value.split())
            primary[ch] = toneless(value.split()[0])
    variants: dict[str, list[str]] = defaultdict(list)
    inherited: dict[str, str] = {}  # 𠮷 → 吉: listed right after its base, where a citizen looks for it
    for ch, key, value in _unihan("Variants"):
        if key not in _VARIANT_KEYS:
            continue
        for target in re.findall(r"U\+([0-9A-F]+)", value):
            base = chr(int(target, 16))
            if ch not in readings and base in readings:
                readings[ch].update(readings[base])
                primary[ch] = primary.get(base, "")
                inherited[ch] = base
            if ch != base and ch not in variants[base]:
                variants[base].append(ch)
    by_syllable: dict[str, list[str]] = defaultdict(list)
    for ch, syllables in readings.items():
        for syllable in syllables:
            if syllable.isascii() and syllable.isalpha():
                by_syllable[syllable].append(ch)
    def score(ch: str, syllable: str) -> tuple[bool, int, int]:
        return (primary.get(ch) != syllable, -char_freq.get(ch, 0), ord(ch))  # ties: BMP before Ext-B

    chars = {s: _after_bases(sorted(cs, key=lambda ch: score(ch, s)), inherited) for s, cs in by_syllable.items()}
    phrases: dict[str, list[str]] = defaultdict(list)
    for phrase, pys in phrases_dict.items():
        phrases["'".join(toneless(p[0]) for p in pys)].append(phrase)
    ranked = {k: sorted(v, key=lambda w: -word_freq.get(w, 0)) for k, v in phrases.items()}
    by_freq = lambda ch: (-char_freq.get(ch, 0), ord(ch))  # noqa: E731
    return Lexicon(chars, ranked, {b: sorted(v, key=by_freq) for b, v in variants.items()}, char_freq)


def _after_bases(ranked: list[str], inherited: dict[str, str]) -> list[str]:
    """Move each character that only has its variant's reading to just after that variant."""
    moved = [ch for ch in ranked if ch in inherited and inherited[ch] in ranked]
    if not moved:
        return ranked
    result = [ch for ch in ranked if ch not in moved]
    for ch in moved:
        result.insert(result.index(inherited[ch]) + 1, ch)
    return result

