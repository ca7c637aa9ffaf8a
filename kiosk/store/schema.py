"""The core tables: the audit trail and flow checkpoints. Other areas register their own Migrations."""

from __future__ import annotations

from sqlite_utils import Database

from kiosk.store.migrations import Migrations

CORE = Migrations("core")


@CORE.register(1)
def create_audit(db: Database) -> None:
    db.execute(
        "CREATE TABLE audit (seq INTEGER PRIMARY KEY, ts REAL NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, "
        "detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
    )
    # The head row anchors the chain's end, so deleting the newest records is detected too.
    db.execute("CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL)")


@CORE.register(2)
def create_checkpoints(db: Database) -> None:
    db.execute(
        "CREATE TABLE checkpoints (session_id TEXT PRIMARY KEY, state TEXT NOT NULL, item_code TEXT, "
        "payload BLOB NOT NULL, updated_at REAL NOT NULL)"
    )
