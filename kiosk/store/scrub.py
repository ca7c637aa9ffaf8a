"""After personal data is deleted from a SQLite store, make the deletion real: no old copy in the WAL, no free page.

``PRAGMA secure_delete = ON`` (set on every connection of the stores that hold personal data) zeroes deleted
content in its page and freed pages; ``wal_checkpoint(TRUNCATE)`` then copies the current pages back into the
database and cuts the WAL to zero bytes, so the frames that still held the row before its deletion are gone too.
Run after each session wipe and each delivered application. A checkpoint that other readers block (``busy``) is
logged and retried at the next wipe; nothing here raises, a wipe must always finish.
"""

from __future__ import annotations

import logging
import sqlite3

log = logging.getLogger(__name__)


def truncate_wal(conn: sqlite3.Connection, name: str) -> bool:
    """Checkpoint and truncate ``conn``'s WAL; True when it is empty now."""
    try:
        busy, _frames, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as exc:
        log.warning("%s: WAL not truncated after the wipe: %s", name, exc)
        return False
    if busy:
        log.info("%s: WAL truncation blocked by a reader; retried at the next wipe", name)
    return not busy
