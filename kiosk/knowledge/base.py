"""FAQ knowledge base: JSON content → SQLite FTS5 (via sqlite-utils) → ranked hits.

Content lives in ``kiosk/content/faq/*.json`` (files with ``entries``) plus one synonyms file
(``kind: synonyms``). ``build`` recreates the database from scratch: it is cheap (< 1 s) and the
content ships with item configuration bundles, so there is no migration to manage.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.errors import ConfigError
from kiosk.knowledge.tokenize import STOP_BIGRAMS, index_text, normalize, pinyin_tokens, tokens

# bm25 column weights: question, keywords, answer, pinyin of question+keywords.
WEIGHTS = (4.0, 3.0, 1.0, 1.0)


@dataclass(frozen=True)
class Hit:
    id: str
    topic: str
    question: str
    answer: str
    items: tuple[str, ...]
    score: float  # higher is better (negated bm25)


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    question: str
    answer: str
    keywords: tuple[str, ...]
    items: tuple[str, ...]


def load_content(directory: str | Path) -> tuple[list[Entry], list[tuple[str, ...]]]:
    """Read and check every FAQ file; raises ``ConfigError`` naming file, path and problem."""
    entries: list[Entry] = []
    groups: list[tuple[str, ...]] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise ConfigError(f"{directory}: no FAQ files")
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            problems.append(f"{path}: $: invalid_json: {exc}")
            continue
        if doc.get("kind") == "synonyms":
            groups.extend(tuple(g) for g in doc.get("groups", []) if isinstance(g, list) and len(g) > 1)
            continue
        for i, raw in enumerate(doc.get("entries", [])):
            where = f"{path}: $.entries[{i}]"
            missing = [k for k in ("id", "question", "answer") if not isinstance(raw.get(k), str) or not raw[k].strip()]
            if missing:
                problems.append(f"{where}: schema.required: missing or empty {', '.join(missing)}")
                continue
            if raw["id"] in seen:
                problems.append(f"{where}.id: duplicate_id: {raw['id']} also in {seen[raw['id']]}")
                continue
            seen[raw["id"]] = str(path)
            entries.append(Entry(raw["id"], str(doc.get("topic", "")), raw["question"], raw["answer"],
                                 tuple(raw.get("keywords", [])), tuple(raw.get("items", []))))
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in FAQ content {directory}", problems)
    return entries, groups


class KnowledgeBase:
    """Search over the FAQ index. ``build`` writes the DB; ``open`` reads an existing one."""

    def __init__(self, db: sqlite_utils.Database, synonyms: list[tuple[str, ...]]) -> None:
        self._db = db
        self._synonyms = synonyms
        self._lock = threading.Lock()  # one connection, shared by the UI and flow threads
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS faq_vocab USING fts5vocab(faq_fts, 'row')")
        self._vocab = frozenset(row[0] for row in db.execute("SELECT term FROM faq_vocab"))

    @classmethod
    def build(cls, directory: str | Path, db: str | Path | sqlite_utils.Database) -> KnowledgeBase:
        entries, groups = load_content(directory)
        database = db if isinstance(db, sqlite_utils.Database) else _connect(db)
        with database.conn:
            for name in ("faq_vocab", "faq_fts", "faq", "synonyms"):
                database.execute(f"DROP TABLE IF EXISTS [{name}]")
            database.table("faq").insert_all(
                ({"id": e.id, "topic": e.topic, "question": e.question, "answer": e.answer,
                  "items": json.dumps(e.items), "q_tok": index_text([e.question]),
                  "k_tok": index_text(e.keywords), "a_tok": index_text([e.answer]),
                  "p_tok": " ".join(pinyin_tokens(tokens(" ".join((e.question, *e.keywords)))))}
                 for e in entries),
                pk="id")
            database.table("synonyms").insert_all(({"grp": i, "term": t} for i, g in enumerate(groups) for t in g))
        database.table("faq").enable_fts(["q_tok", "k_tok", "a_tok", "p_tok"], fts_version="FTS5", tokenize="unicode61")
        return cls(database, groups)

    @classmethod
    def open(cls, db: str | Path) -> KnowledgeBase:
        database = _connect(db)
        groups: dict[int, list[str]] = {}
        for row in database["synonyms"].rows:
            groups.setdefault(row["grp"], []).append(row["term"])
        return cls(database, [tuple(g) for g in groups.values()])

    def expand(self, query: str) -> list[str]:
        """Query tokens, pinyin of unknown bigrams, and tokens of every synonym the query contains."""
        text = normalize(query)
        toks = [t for t in tokens(text) if t not in STOP_BIGRAMS]
        # Pinyin only for bigrams the index has never seen: likely homophone typos (设保 → shebao).
        toks += pinyin_tokens(t for t in toks if t not in self._vocab)
        for group in self._synonyms:
            if any(term in text for term in group):
                for term in group:
                    toks.extend(tokens(term))
        return list(dict.fromkeys(toks))

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        toks = self.expand(query)
        if not toks:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in toks)
        sql = (
            "SELECT faq.id, faq.topic, faq.question, faq.answer, faq.items, "
            f"bm25(faq_fts, {', '.join(map(str, WEIGHTS))}) AS rank "
            "FROM faq_fts JOIN faq ON faq.rowid = faq_fts.rowid "
            "WHERE faq_fts MATCH ? ORDER BY rank LIMIT ?"
        )
        with self._lock:
            rows: list[Any] = self._db.execute(sql, [match, limit]).fetchall()
        return [Hit(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), -float(r[5])) for r in rows]

    def count(self) -> int:
        with self._lock:
            return self._db["faq"].count


def _connect(path: str | Path) -> sqlite_utils.Database:
    """Built on one thread, searched from another (UI vs flow worker): allow it, serialise with a lock."""
    return sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False))
