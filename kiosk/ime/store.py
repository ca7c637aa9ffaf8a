"""The lexicon on disk as SQLite, read in place: the keyboard's memory cost is a page cache, not 100k strings.

Why: unpickled, the lexicon is ~19 MiB of Python objects (a str, list slot and dict entry per phrase)
held for the life of the UI process; the phrases and variants are only ever looked up by key, a few
per keystroke, which an indexed SQLite table answers in microseconds. What the composer scans
(every syllable's characters for a partial syllable, character frequencies to rank them) stays in
memory in a compact form: one string of ranked characters per syllable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.ime.data import Lexicon

_SCHEMA = """
CREATE TABLE chars (syllable TEXT PRIMARY KEY, ranked TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE freq (ch TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE phrases (key TEXT NOT NULL, rank INTEGER NOT NULL, phrase TEXT NOT NULL, PRIMARY KEY (key, rank)) WITHOUT ROWID;
CREATE TABLE variants (base TEXT NOT NULL, rank INTEGER NOT NULL, ch TEXT NOT NULL, PRIMARY KEY (base, rank)) WITHOUT ROWID;
"""


class _Table(Mapping[str, list[str]]):
    """key → ranked values of one (key, rank, value) table, looked up on demand."""

    def __init__(self, db: sqlite3.Connection, table: str, key: str, value: str) -> None:
        self._db = db
        self._one = f"SELECT {value} FROM {table} WHERE {key} = ? ORDER BY rank"
        self._keys = f"SELECT DISTINCT {key} FROM {table}"
        self._count = f"SELECT COUNT(DISTINCT {key}) FROM {table}"

    def __getitem__(self, key: str) -> list[str]:
        values = [row[0] for row in self._db.execute(self._one, (key,))]
        if not values:
            raise KeyError(key)
        return values

    def __iter__(self) -> Iterator[str]:
        return iter([row[0] for row in self._db.execute(self._keys)])

    def __len__(self) -> int:
        return int(self._db.execute(self._count).fetchone()[0])


def write(lexicon: Lexicon, path: Path) -> None:
    """Write ``lexicon`` to a new SQLite file at ``path`` (the caller renames it into place)."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(_SCHEMA)
        db.executemany("INSERT INTO chars VALUES (?, ?)", ((s, "".join(cs)) for s, cs in lexicon.chars.items()))
        db.executemany("INSERT INTO freq VALUES (?, ?)", lexicon.freq.items())
        db.executemany("INSERT INTO phrases VALUES (?, ?, ?)",
                       ((k, i, p) for k, ps in lexicon.phrases.items() for i, p in enumerate(ps)))
        db.executemany("INSERT INTO variants VALUES (?, ?, ?)",
                       ((b, i, ch) for b, vs in lexicon.variants.items() for i, ch in enumerate(vs)))
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()


def open_lexicon(path: Path) -> Lexicon:
    """The lexicon read from ``path``: syllables' characters and frequencies in memory, phrases and variants in place."""
    from kiosk.ime.data import Lexicon

    # read-only and shared with the Kivy thread (the loader opens it on a worker thread); SQLite
    # serialises access itself, and nothing writes to this file once it is in place
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    try:
        chars = dict(db.execute("SELECT syllable, ranked FROM chars"))
        freq = dict(db.execute("SELECT ch, n FROM freq"))
    except sqlite3.DatabaseError:
        db.close()
        raise
    if not chars:
        db.close()
        raise sqlite3.DatabaseError(f"empty lexicon store: {path}")
    return Lexicon(chars, _Table(db, "phrases", "key", "phrase"), _Table(db, "variants", "base", "ch"), freq)
