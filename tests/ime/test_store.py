"""The lexicon's SQLite store reads back what was built, in rank order, and refuses a torn file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.ime.data import Lexicon
from kiosk.ime.legacy import LegacyComposer as Composer
from kiosk.ime.store import open_lexicon, write

BUILT = Lexicon(chars={"zhang": ["张", "章", "长"], "san": ["三", "散"], "ji": ["吉", "𠮷", "及"]},
                phrases={"zhang'san": ["张三", "章三"], "san'ji": ["三级"]},
                variants={"吉": ["𠮷"]}, freq={"张": 90, "章": 50, "长": 40, "三": 80, "散": 10, "吉": 30, "及": 60, "𠮷": 0})


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "lex.sqlite"
    write(BUILT, path)
    stored = open_lexicon(path)
    assert stored.syllables == BUILT.syllables
    assert {s: list(cs) for s, cs in stored.chars.items()} == BUILT.chars
    assert dict(stored.phrases.items()) == BUILT.phrases and len(stored.phrases) == 2
    assert stored.variants.get("吉") == ["𠮷"] and stored.variants.get("张") is None and "吉" in stored.variants
    assert dict(stored.freq) == BUILT.freq
    with pytest.raises(KeyError):
        stored.phrases["nope"]


def test_composer_on_the_store_ranks_as_on_the_built(tmp_path: Path) -> None:
    path = tmp_path / "lex.sqlite"
    write(BUILT, path)
    for lexicon in (BUILT, open_lexicon(path)):
        composer = Composer(lexicon)
        for letter in "zhangsan":
            composer.type(letter)
        assert [c.text for c in composer.visible()] == ["张三", "章三", "张", "章", "长"]
        assert composer.choose(composer.visible()[2]) == "张" and composer.letters == "san"
        composer.clear()
        composer.type("z")  # a partial syllable: every syllable it begins, by frequency
        assert [c.text for c in composer.visible()] == ["张", "章", "长"]


def test_torn_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lex.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    with pytest.raises(sqlite3.DatabaseError):
        open_lexicon(path)
