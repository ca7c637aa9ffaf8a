"""Hash-chained audit trail: each record carries the hash of the one before it.

``hash = sha256(prev_hash + canonical JSON of (seq, ts, actor, action, detail))``. Editing a record
breaks its own hash; deleting one leaves a gap in ``seq``; deleting the newest ones disagrees with
``audit_head``. ``verify()`` names the first record that fails. Details are masked before storage:
the audit trail says what happened, never whose data it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from kiosk.errors import StoreError
from kiosk.privacy import mask_value
from kiosk.store.database import Store, rollback_quietly

GENESIS = "0" * 64
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    ts: float
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def _digest(prev_hash: str, seq: int, ts: float, actor: str, action: str, detail_json: str) -> str:
    body = json.dumps([seq, repr(ts), actor, action, detail_json], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


#: Records kept in memory while the disk is full (written, in order and chained, by the next append that succeeds).
BACKLOG_MAX = 1000


def _disk_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "full" in str(exc)


class AuditTrail:
    """Appends never lose a record to a full disk: a record SQLite cannot write for lack of space is kept in a
    bounded backlog (logged, ``backlog`` for the heartbeat) and written before the next record once space is back —
    so a session whose scans filled the disk is still wiped, and its end and wipe are still recorded."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._backlog: deque[tuple[float, str, str, str]] = deque(maxlen=BACKLOG_MAX)
        self._lock = threading.Lock()
        self.dropped = 0  # backlog overflow (a disk full for over BACKLOG_MAX records)
        if store.quarantined is not None and not store.quarantine_audited:  # the fresh store's first record
            store.quarantine_audited = True
            self.append("terminal", "store.quarantined", kept_as=store.quarantined[0].name, reason=store.quarantined[1])

    @property
    def backlog(self) -> int:
        return len(self._backlog)

    def append(self, actor: str, action: str, **detail: Any) -> AuditRecord:
        """Append one record atomically (BEGIN IMMEDIATE serialises writers across threads and processes).

        On a full disk the record waits in the backlog (returned with ``seq`` 0) instead of raising; any other
        store failure raises ``StoreError`` naming SQLite's own reason."""
        detail_json = json.dumps(mask_value("detail", detail), ensure_ascii=False, sort_keys=True, default=str)
        with self._lock:
            if len(self._backlog) == self._backlog.maxlen:
                self.dropped += 1
            self._backlog.append((time.time(), actor, action, detail_json))
            try:
                written = self._write_backlog()
            except sqlite3.Error as exc:
                if not _disk_full(exc):
                    self._backlog.pop()
                    raise StoreError(f"audit record {action} not written: {exc}") from exc
                log.error("audit record %s kept in memory (%d waiting): %s", action, len(self._backlog), exc)
                ts = self._backlog[-1][0]
                return AuditRecord(0, ts, actor, action, json.loads(detail_json), "", "")
        return written[-1]

    def flush(self) -> int:
        """Write the backlog now (e.g. after space was freed); returns how many were written."""
        with self._lock:
            if not self._backlog:
                return 0
            try:
                return len(self._write_backlog())
            except sqlite3.Error as exc:
                log.error("audit backlog still not written (%d waiting): %s", len(self._backlog), exc)
                return 0

    def alerts(self) -> list[dict[str, Any]]:
        if not self._backlog and not self.dropped:
            return []
        return [{"code": "audit_backlog", "severity": "critical", "count": len(self._backlog),
                 "message": f"{len(self._backlog)} audit record(s) wait for disk space ({self.dropped} dropped)"}]

    def _write_backlog(self) -> list[AuditRecord]:
        conn = self.store.db().conn
        conn.execute("BEGIN IMMEDIATE")
        written: list[AuditRecord] = []
        try:
            head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
            seq, prev_hash = (head[0], head[1]) if head else (0, GENESIS)
            for ts, actor, action, detail_json in self._backlog:
                seq += 1
                digest = _digest(prev_hash, seq, ts, actor, action, detail_json)
                conn.execute(
                    "INSERT INTO audit (seq, ts, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [seq, ts, actor, action, detail_json, prev_hash, digest],
                )
                written.append(AuditRecord(seq, ts, actor, action, json.loads(detail_json), prev_hash, digest))
                prev_hash = digest
            conn.execute("INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", [seq, prev_hash])
            conn.execute("COMMIT")
        except BaseException:
            rollback_quietly(conn)  # a failed COMMIT may have rolled back already: keep "disk is full", not "no transaction"
            raise
        self._backlog.clear()
        return written

    def records(self, since_seq: int = 0, limit: int = 1000) -> list[AuditRecord]:
        rows = self.store.db().execute(
            "SELECT seq, ts, actor, action, detail, prev_hash, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?", [since_seq, limit]
        ).fetchall()
        return [AuditRecord(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]

    def verify(self) -> VerifyResult:
        conn = self.store.db().conn
        expected_seq, prev_hash, checked = 1, GENESIS, 0
        for seq, ts, actor, action, detail_json, stored_prev, stored_hash in conn.execute(
            "SELECT seq, ts, actor, action, detail, prev_hash, hash FROM audit ORDER BY seq"
        ):
            if seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"record {expected_seq} is missing (next present is {seq})")
            if stored_prev != prev_hash:
                return VerifyResult(False, checked, seq, f"record {seq} does not chain to record {seq - 1} (prev_hash differs)")
            if _digest(stored_prev, seq, ts, actor, action, detail_json) != stored_hash:
                return VerifyResult(False, checked, seq, f"record {seq} was altered (hash mismatch)")
            prev_hash, expected_seq, checked = stored_hash, seq + 1, checked + 1
        head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        if head and (head[0] != checked or head[1] != prev_hash):
            return VerifyResult(False, checked, checked + 1, f"records {checked + 1}..{head[0]} are missing (the head says {head[0]})")
        return VerifyResult(True, checked)
