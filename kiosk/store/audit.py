"""Hash-chained audit trail: each record carries the hash of the one before it.

``hash = sha256(prev_hash + canonical JSON of (seq, ts, actor, action, detail))``. Editing a record
breaks its own hash; deleting one leaves a gap in ``seq``; deleting the newest ones disagrees with
``audit_head``. ``verify()`` names the first record that fails. Details are masked before storage:
the audit trail says what happened, never whose data it was.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from kiosk.errors import StoreError
from kiosk.privacy import mask_value
from kiosk.store.database import Store, rollback_quietly

GENESIS = "0" * 64


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


class AuditTrail:
    def __init__(self, store: Store) -> None:
        self.store = store

    def append(self, actor: str, action: str, **detail: Any) -> AuditRecord:
        """Append one record atomically (BEGIN IMMEDIATE serialises writers across threads and processes)."""
        detail_json = json.dumps(mask_value("detail", detail), ensure_ascii=False, sort_keys=True, default=str)
        conn = self.store.db().conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
            seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
            ts = time.time()
            digest = _digest(prev_hash, seq, ts, actor, action, detail_json)
            conn.execute(
                "INSERT INTO audit (seq, ts, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [seq, ts, actor, action, detail_json, prev_hash, digest],
            )
            conn.execute("INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", [seq, digest])
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            rollback_quietly(conn)  # a failed COMMIT may have rolled back already: keep "disk is full", not "no transaction"
            raise StoreError(f"audit record {action} not written: {exc}") from exc
        except BaseException:
            rollback_quietly(conn)
            raise
        return AuditRecord(seq, ts, actor, action, json.loads(detail_json), prev_hash, digest)

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
