"""Store: one SQLite file in WAL mode, one connection per thread, migrations applied on open."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlite_utils import Database

from kiosk.errors import StoreError
from kiosk.store.migrations import Migrations
from kiosk.store.schema import CORE


class Store:
    """Owns the database path; ``db()`` gives this thread's connection (sqlite3 objects are per-thread)."""

    def __init__(self, path: str | Path, migrations: list[Migrations] | None = None) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self.db()
        try:
            db.enable_wal()
            for area in [CORE, *(migrations or [])]:
                area.apply(db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc

    def db(self) -> Database:
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            db = Database(conn)
            self._local.db = db
        return db

    def close(self) -> None:
        db: Database | None = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None
