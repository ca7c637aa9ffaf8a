"""Pronunciation lexicon: polyphones read right (重庆 chóng, 银行 háng) before espeak-ng speaks.

espeak-ng 1.51 reads a Chinese character by its most common reading unless its dictionary lists the
word, and many words of government prompts are missing (重庆 → zhòng qìng, 银行 → yín xíng). Three
ways to correct it were tried on its phoneme output (``espeak-ng -q -x``):

- ``[[ts.h'ong35]]`` phoneme input works in both ``cmn`` voices, but the mnemonics are espeak-ng's
  internal, per-version notation, and the tone sandhi its rules apply to text is bypassed (a
  lexicon writer would have to work out 3-3 → 2-3 by hand for every neighbour);
- a homophone character (崇 for 重) works, but the substitute is itself a character whose reading
  (and dictionary entries) may change, and a lexicon of 崇庆 is unreadable to whoever reviews it;
- numbered pinyin (``chong2 qing4``), chosen: ``cmn-latn-pinyin`` — the voice the terminal uses
  for Mandarin (drivers/speaker/tts.py) — reads Latin syllables as pinyin, keeps applying sandhi
  around them (请 chong2 → 请 is 21), gives output identical whether or not spaces surround the
  syllables, and the lexicon reads like a dictionary. Plain ``cmn`` would read Latin as English, so
  the lexicon is applied only to a voice that reads pinyin (``reads_pinyin``).

Entries live in ``lexicon.toml`` beside this module (package data); a site file can add or override.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from kiosk.errors import ConfigError

SYLLABLE = re.compile(r"^(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?[aeiouv]+(?:n|ng|r)?[1-5]$")
HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")


def reads_pinyin(voice: str) -> bool:
    """True for an espeak-ng voice that reads Latin text as pinyin (``cmn-latn-pinyin``)."""
    return "pinyin" in voice


class Lexicon:
    """Word → numbered pinyin; ``apply`` replaces every listed word in a prompt, longest first."""

    def __init__(self, words: Mapping[str, str], source: str = "lexicon") -> None:
        for word, reading in words.items():
            _check_entry(word, reading, source)
        self.words = {word: " ".join(reading.split()) for word, reading in words.items()}
        ordered = sorted(self.words, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __len__(self) -> int:
        return len(self.words)

    def apply(self, text: str) -> str:
        """``text`` with each listed word replaced by its pinyin, spaced off its neighbours (never glued to Latin or digits)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: f" {self.words[m.group(0)]} ", text)

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon with ``other``'s words added (its readings win)."""
        return Lexicon({**self.words, **other.words})

    @classmethod
    def from_toml(cls, text: str, source: str) -> Lexicon:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not TOML: {exc}") from None
        words = data.get("words")
        if not isinstance(words, dict) or not all(isinstance(v, str) for v in words.values()):
            raise ConfigError(f"{source}: needs a [words] table of \"词\" = \"ci2\" entries")
        return cls(words, source)

    @classmethod
    def packaged(cls) -> Lexicon:
        """The lexicon shipped with the driver (``drivers/speaker/lexicon.toml``)."""
        return cls.from_toml(resources.files(__package__).joinpath("lexicon.toml").read_text("utf-8"), "drivers/speaker/lexicon.toml")

    @classmethod
    def load(cls, site_file: str = "") -> Lexicon:
        """The packaged lexicon, plus a site file's words when one is named."""
        lexicon = cls.packaged()
        if not site_file:
            return lexicon
        try:
            text = Path(site_file).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"speaker lexicon {site_file}: {exc.strerror}") from None
        return lexicon.merged(cls.from_toml(text, site_file))


def _check_entry(word: str, reading: str, source: str) -> None:
    syllables = reading.split()
    if not HAN.match(word):
        raise ConfigError(f"{source}: {word!r}: a lexicon word is Chinese characters only")
    bad = [s for s in syllables if not SYLLABLE.match(s)]
    if bad:
        raise ConfigError(f"{source}: {word!r} = {reading!r}: {bad[0]!r} is not a numbered pinyin syllable (e.g. chong2)")
    if len(syllables) != len(word):
        raise ConfigError(f"{source}: {word!r} = {reading!r}: {len(word)} characters but {len(syllables)} syllables")
