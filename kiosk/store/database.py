"""Store: one SQLite file in WAL mode, one connection per thread, migrations applied on open.

``synchronous=FULL``: the audit trail and the flow checkpoints must survive a power cut (with WAL,
NORMAL may lose the last commits). A file that is not a database, or fails ``quick_check`` (garbage
bytes, a truncated file), is quarantined — renamed ``kiosk.db.corrupt-<UTC time>`` with its -wal/-shm,
kept for analysis — and a fresh store is started, recorded in its audit trail and raised as an alert.
The outbox lives in its own file (outbox.db), so applications keep being delivered meanwhile.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk.errors import StoreError
from kiosk.store.migrations import Migrations
from kiosk.store.schema import CORE
from kiosk.store.scrub import truncate_wal

log = logging.getLogger(__name__)


def rollback_quietly(conn: sqlite3.Connection) -> None:
    """Roll back after a failed statement without hiding why it failed: SQLite may have rolled back already
    (SQLITE_FULL, SQLITE_IOERR), and a second ROLLBACK's "no transaction is active" would replace "disk is full"."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def damage(path: Path) -> str:
    """Why ``path`` is not a usable database ('' when it is, or does not exist yet)."""
    if not path.exists() or path.stat().st_size == 0:
        return ""
    try:
        with closing(sqlite3.connect(path, timeout=10.0)) as conn:
            found = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:  # "locked", "unable to open" are not damage: never quarantine a healthy file
        return str(exc) if any(w in str(exc) for w in ("not a database", "malformed", "corrupt")) else ""
    return "" if found == ["ok"] else "; ".join(found[:3])[:300]


def quarantine(path: Path, reason: str) -> Path:
    """Rename ``path`` (and its -wal/-shm) aside with a UTC timestamp; returns the new name."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target, n = path.with_name(f"{path.name}.corrupt-{stamp}-{n}"), n + 1
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    path.rename(target)
    log.error("store %s is corrupt (%s): kept as %s, a fresh store is started", path, reason, target.name)
    return target


class Store:
    """Owns the database path; ``db()`` gives this thread's connection (sqlite3 objects are per-thread)."""

    def __init__(self, path: str | Path, migrations: list[Migrations] | None = None) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.quarantined: tuple[Path, str] | None = None
        found = damage(self.path)
        if found:
            self.quarantined = (quarantine(self.path, found), found)
        db = self.db()
        try:
            db.enable_wal()
            for area in [CORE, *(migrations or [])]:
                area.apply(db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
        self.quarantine_audited = False  # the first AuditTrail opened on this store records the quarantine

    def db(self) -> Database:
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA secure_delete = ON")  # a deleted checkpoint leaves no readable free page (kiosk.store.scrub)
            db = Database(conn)
            self._local.db = db
        return db

    def alerts(self) -> list[dict[str, Any]]:
        """For the heartbeat: the store was quarantined at start (the old file is kept for a technician)."""
        if self.quarantined is None:
            return []
        kept, reason = self.quarantined
        return [{"code": "store_quarantined", "severity": "error", "message": f"{self.path.name} was corrupt ({reason}); kept as {kept.name}"[:300]}]

    def scrub(self) -> bool:
        """After a wipe: the WAL checkpointed and truncated (``kiosk.store.scrub``)."""
        return truncate_wal(self.db().conn, self.path.name)

    def close(self) -> None:
        db: Database | None = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None
