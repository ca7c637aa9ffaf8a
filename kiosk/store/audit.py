"""MAC-chained audit trail: each record carries an HMAC (key outside the database) over itself and the MAC before it.

``mac = HMAC-<suite>(key, prev_mac + canonical JSON of (seq, ts, actor, action, detail, suite))``, the suite named in
every record (HMAC-SM3 under SM2-SM3). The key and two anchors of the chain's end live in ``<data_dir>/keys/``
(``kiosk.store.audit_keys``); the head also leaves the box with every heartbeat and the platform's acknowledgement
is kept as the second anchor. ``verify()`` (``kiosk.store.audit_verify``, read-only) names the first record that
fails. Details are masked before storage: the audit trail says what happened, never whose data it was.

Retention: records are kept at least ``RETENTION_MIN_DAYS`` (6 months); ``prune()`` then removes the oldest and
leaves a MACed checkpoint (the last pruned record's seq and MAC) the chain continues from, plus an
``audit.pruned`` record saying so.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from kiosk.errors import StoreError
from kiosk.privacy import mask_value
from kiosk.security import suite as suites
from kiosk.security.keydir import keys_dir
from kiosk.store.audit_keys import Anchor, AuditKeys
from kiosk.store.audit_verify import GENESIS, LEGACY_SUITE, VerifyResult, checkpoint_body, record_body, verify_store
from kiosk.store.database import Store, rollback_quietly
from kiosk.store.migrations import Migrations

__all__ = ["GENESIS", "AuditRecord", "AuditTrail", "VerifyResult"]

log = logging.getLogger(__name__)

#: Records are kept at least this long (days) before ``prune`` may remove them (6 months and a margin).
RETENTION_MIN_DAYS = 183
#: Records kept in memory while the disk is full (written, in order and chained, by the next append that succeeds).
BACKLOG_MAX = 1000

AUDIT = Migrations("audit")


@AUDIT.register(1)
def add_suite_and_checkpoint(db: Database) -> None:
    # Rows from before the MAC are a plain SHA-256 chain: they say so, and verify accepts them only as the oldest part.
    db.execute(f"ALTER TABLE audit ADD COLUMN suite TEXT NOT NULL DEFAULT '{LEGACY_SUITE}'")
    db.execute("CREATE TABLE audit_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, mac TEXT NOT NULL, "
               "ts REAL NOT NULL, pruned INTEGER NOT NULL, tag TEXT NOT NULL)")


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    ts: float
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str
    suite: str = suites.SM2_SM3


def _disk_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "full" in str(exc)


class AuditTrail:
    """Appends never lose a record to a full disk: a record SQLite cannot write for lack of space is kept in a
    bounded backlog (logged, ``backlog`` for the heartbeat) and written before the next record once space is back —
    so a session whose scans filled the disk is still wiped, and its end and wipe are still recorded.

    Opening raises ``AuditKeyMissing`` when the key is gone while MACed records exist (restore it; never a new one)."""

    def __init__(self, store: Store, keys: AuditKeys | None = None, suite: str = suites.SM2_SM3) -> None:
        self.store = store
        self.keys = keys or AuditKeys(keys_dir(store.path.parent), suite)
        self._backlog: deque[tuple[float, str, str, str]] = deque(maxlen=BACKLOG_MAX)
        self._lock = threading.Lock()
        self.dropped = 0  # backlog overflow (a disk full for over BACKLOG_MAX records)
        db = store.db()
        AUDIT.apply(db)
        keyed = db.execute(f"SELECT EXISTS (SELECT 1 FROM audit WHERE suite != '{LEGACY_SUITE}') "
                           "OR EXISTS (SELECT 1 FROM audit_checkpoint)").fetchone()[0]
        self.keys.key(may_create=not keyed)
        if store.quarantined is not None and not store.quarantine_audited:  # the fresh store's first record
            store.quarantine_audited = True
            self.append("terminal", "store.quarantined", kept_as=store.quarantined[0].name, reason=store.quarantined[1])
        self._check_anchor()

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
                return AuditRecord(0, ts, actor, action, json.loads(detail_json), "", "", self.keys.suite)
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
        suite = self.keys.suite
        conn.execute("BEGIN IMMEDIATE")
        written: list[AuditRecord] = []
        try:
            head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
            seq, prev = (head[0], head[1]) if head else (0, GENESIS)
            for ts, actor, action, detail_json in self._backlog:
                seq += 1
                mac = self.keys.mac(record_body(prev, seq, ts, actor, action, detail_json, suite), suite)
                conn.execute(
                    "INSERT INTO audit (seq, ts, actor, action, detail, prev_hash, hash, suite) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [seq, ts, actor, action, detail_json, prev, mac, suite],
                )
                written.append(AuditRecord(seq, ts, actor, action, json.loads(detail_json), prev, mac, suite))
                prev = mac
            conn.execute("INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", [seq, prev])
            conn.execute("COMMIT")
        except BaseException:
            rollback_quietly(conn)  # a failed COMMIT may have rolled back already: keep "disk is full", not "no transaction"
            raise
        self._backlog.clear()
        self._anchor(Anchor(seq, prev, time.time()))
        return written

    def _anchor(self, anchor: Anchor) -> None:
        """After the commit (a crash between leaves the anchor behind the database, never ahead of it)."""
        try:
            self.keys.write_head(anchor)
        except OSError as exc:  # a full disk: the next append writes it; verify still has the platform's ack
            log.error("audit head anchor not written: %s", exc)

    def _check_anchor(self) -> None:
        """At open: a database behind or beside its anchor was cut, wiped or replaced while the terminal was off.
        Say so in the trail itself (the anchor moves on with the next append; the record, MACed, stays)."""
        try:
            anchor = self.keys.head()
        except StoreError as exc:
            anchor, problem = None, str(exc)
        else:
            problem = ""
        head = self.head()
        if anchor is None and not problem and head.seq:
            problem = "audit.head anchor missing"
        elif anchor is not None:
            row = self.store.db().execute("SELECT hash FROM audit WHERE seq = ?", [anchor.seq]).fetchone()
            if head.seq < anchor.seq or (row is not None and row[0] != anchor.mac):
                problem = f"database (head {head.seq}) does not reach its anchor (record {anchor.seq})"
        if problem:
            log.error("audit trail tampered with or restored while the terminal was off: %s", problem)
            self.append("terminal", "audit.anchor_mismatch", problem=problem[:300], db_head=head.seq,
                        anchor_seq=anchor.seq if anchor else None)
        elif anchor is None:
            self._anchor(head)

    # ----- the head that leaves the box ---------------------------------------------------------------
    def head(self) -> Anchor:
        """The newest record (seq, MAC): sent with every heartbeat."""
        row = self.store.db().execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        return Anchor(row[0], row[1]) if row else Anchor(0, GENESIS)

    def heartbeat_head(self) -> dict[str, Any]:
        head = self.head()
        return {"seq": head.seq, "mac": head.mac, "suite": self.keys.suite}

    def acknowledged(self, seq: int, mac: str) -> bool:
        """The platform says it holds head ``seq``/``mac``: kept as the second anchor when it is one of ours."""
        row = self.store.db().execute("SELECT hash FROM audit WHERE seq = ?", [seq]).fetchone()
        if row is None or row[0] != mac:
            log.error("platform acknowledged audit head %d that this trail does not hold", seq)
            return False
        try:
            self.keys.write_acked(Anchor(seq, mac, time.time()))
        except OSError as exc:
            log.error("acknowledged audit head not kept: %s", exc)
            return False
        return True

    # ----- reading, verifying, retention --------------------------------------------------------------
    def records(self, since_seq: int = 0, limit: int = 1000) -> list[AuditRecord]:
        rows = self.store.db().execute(
            "SELECT seq, ts, actor, action, detail, prev_hash, hash, suite FROM audit WHERE seq > ? ORDER BY seq LIMIT ?", [since_seq, limit]
        ).fetchall()
        return [AuditRecord(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7]) for r in rows]

    def verify(self, platform_head: Anchor | None = None) -> VerifyResult:
        return verify_store(self.store.path, self.keys, platform_head)

    def prune(self, retention_days: float = RETENTION_MIN_DAYS, now: float | None = None) -> int:
        """Remove records older than ``retention_days`` (never under 6 months) behind a MACed checkpoint; returns how many."""
        if retention_days < RETENTION_MIN_DAYS:
            raise StoreError(f"audit retention {retention_days} days is below the minimum of {RETENTION_MIN_DAYS}")
        cutoff = (time.time() if now is None else now) - retention_days * 86400
        conn = self.store.db().conn
        with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                last = conn.execute("SELECT seq, hash, ts FROM audit WHERE ts < ? AND seq < (SELECT MAX(seq) FROM audit) "
                                    "ORDER BY seq DESC LIMIT 1", [cutoff]).fetchone()
                if last is None:
                    conn.execute("ROLLBACK")
                    return 0
                seq, mac, ts = last
                prior = conn.execute("SELECT pruned FROM audit_checkpoint WHERE id = 1").fetchone()
                count = conn.execute("DELETE FROM audit WHERE seq <= ?", [seq]).rowcount
                total = (prior[0] if prior else 0) + count
                tag = self.keys.mac(checkpoint_body(seq, mac, ts, total))
                conn.execute("INSERT OR REPLACE INTO audit_checkpoint (id, seq, mac, ts, pruned, tag) VALUES (1, ?, ?, ?, ?, ?)",
                             [seq, mac, ts, total, tag])
                conn.execute("COMMIT")
            except BaseException:
                rollback_quietly(conn)
                raise
        self.append("terminal", "audit.pruned", through_seq=seq, count=count, retention_days=retention_days)
        return count
