"""The durable outbox: an application is committed to SQLite (sealed) before the citizen gets a receipt.

One row per application; its id is the idempotency key the platform dedups on, so redelivery after
a crash at any instant creates no second case. After acknowledgement the sealed payload and
materials are wiped; the row keeps receipt, case id and timestamps. Self-contained (own DB file,
WAL, synchronous=FULL) so it can move into kiosk/store later without changing its interface.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import StoreError
from kiosk.terminal.outbox.crypto import Sealer

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, receipt TEXT NOT NULL UNIQUE, created_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
    last_error TEXT, payload BLOB, case_id TEXT, delivered_at REAL, reject_code TEXT, reject_message TEXT, reject_field TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS outbox_material (
    entry_id TEXT NOT NULL, idx INTEGER NOT NULL, content BLOB NOT NULL, PRIMARY KEY (entry_id, idx));
"""


@dataclass(frozen=True)
class Material:
    """One material as captured at the terminal; ``content`` is empty for an 电子证照 reference."""

    material_code: str
    name: str
    source: str  # license | scan | doccam | photo | signature
    media_type: str = "image/jpeg"
    content: bytes = b""
    license_id: str = ""


@dataclass(frozen=True)
class OutboxEntry:
    id: str
    receipt: str
    created_at: float


@dataclass(frozen=True)
class OutboxStats:
    depth: int
    oldest_age_s: float
    rejected: int
    delivered: int

    def to_dict(self) -> dict[str, Any]:
        return {"depth": self.depth, "oldest_age_s": round(self.oldest_age_s, 1), "rejected": self.rejected}


class Outbox:
    def __init__(self, path: str | Path, seal_key: bytes, terminal_id: str) -> None:
        self.path = str(path)
        self.terminal_id = terminal_id
        self._sealer = Sealer(seal_key)
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open outbox {self.path}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def enqueue(self, application: dict[str, Any], materials: list[Material] = (), now: float | None = None) -> OutboxEntry:  # type: ignore[assignment]
        """Commit the application durably and return its local receipt; nothing is sent here."""
        now = time.time() if now is None else now
        entry_id = uuid.uuid4().hex
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            cursor = self._conn.execute("INSERT INTO outbox (id, receipt, created_at, next_attempt_at) VALUES (?, ?, ?, ?)",
                                        (entry_id, entry_id, now, now))
            seq = cursor.lastrowid
            receipt = f"{self.terminal_id}-{time.strftime('%Y%m%d', time.localtime(now))}-{seq:06d}"
            payload = {**application, "terminal_receipt": receipt, "submitted_at": int(now),
                       "_materials": [{"material_code": m.material_code, "name": m.name, "source": m.source, "media_type": m.media_type,
                                       "license_id": m.license_id} for m in materials]}
            sealed = self._sealer.seal(json.dumps(payload, ensure_ascii=False).encode("utf-8"), entry_id)
            self._conn.execute("UPDATE outbox SET receipt = ?, payload = ? WHERE id = ?", (receipt, sealed, entry_id))
            for index, material in enumerate(materials):
                if material.content:
                    blob = self._sealer.seal(material.content, f"{entry_id}:{index}")
                    self._conn.execute("INSERT INTO outbox_material (entry_id, idx, content) VALUES (?, ?, ?)", (entry_id, index, blob))
        return OutboxEntry(entry_id, receipt, now)

    def due(self, now: float | None = None, limit: int = 20) -> list[str]:
        now = time.time() if now is None else now
        with self._lock:
            found = self._conn.execute("SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY seq LIMIT ?",
                                       (now, limit)).fetchall()
        return [r[0] for r in found]

    def next_due_at(self) -> float | None:
        with self._lock:
            found = self._conn.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'").fetchone()
        return found[0]

    def load(self, entry_id: str) -> tuple[dict[str, Any], list[Material]]:
        """The decrypted payload (application body, receipt, time) and its materials."""
        with self._lock:
            found = self._conn.execute("SELECT payload FROM outbox WHERE id = ?", (entry_id,)).fetchone()
            blobs = dict(self._conn.execute("SELECT idx, content FROM outbox_material WHERE entry_id = ?", (entry_id,)).fetchall())
        if found is None or found[0] is None:
            raise StoreError(f"outbox entry {entry_id} has no payload")
        payload = json.loads(self._sealer.open(found[0], entry_id))
        materials = [Material(content=self._sealer.open(blobs[i], f"{entry_id}:{i}") if i in blobs else b"", **meta)
                     for i, meta in enumerate(payload.pop("_materials"))]
        return payload, materials

    def mark_delivered(self, entry_id: str, case_id: str, now: float | None = None) -> None:
        """Acknowledged: keep receipt and case id, wipe the sealed personal data."""
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("UPDATE outbox SET state = 'delivered', case_id = ?, delivered_at = ?, payload = NULL, last_error = NULL WHERE id = ?",
                               (case_id, time.time() if now is None else now, entry_id))
            self._conn.execute("DELETE FROM outbox_material WHERE entry_id = ?", (entry_id,))

    def mark_retry(self, entry_id: str, error: str, backoff_s: Callable[[int], float]) -> int:
        """Count a failed attempt and schedule the next one ``backoff_s(attempts)`` from now."""
        with self._lock:
            found = self._conn.execute("SELECT attempts FROM outbox WHERE id = ?", (entry_id,)).fetchone()
            attempts = int(found[0]) + 1 if found else 1
            self._conn.execute("UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                               (attempts, error[:500], time.time() + backoff_s(attempts), entry_id))
            return attempts

    def mark_rejected(self, entry_id: str, code: str, message: str, field: str | None) -> None:
        """The platform refused it for good (4xx): kept sealed for a technician, never retried."""
        with self._lock:
            self._conn.execute("UPDATE outbox SET state = 'rejected', attempts = attempts + 1, "
                               "reject_code = ?, reject_message = ?, reject_field = ? WHERE id = ?",
                               (code, message, field, entry_id))

    def get(self, entry_id: str) -> dict[str, Any] | None:
        with self._lock:
            cursor = self._conn.execute("SELECT id, receipt, created_at, state, attempts, last_error, case_id, delivered_at, "
                                        "reject_code, reject_message, reject_field "
                                        "FROM outbox WHERE id = ?", (entry_id,))
            found = cursor.fetchone()
            return dict(zip([c[0] for c in cursor.description], found, strict=True)) if found else None

    def stats(self, now: float | None = None) -> OutboxStats:
        now = time.time() if now is None else now
        with self._lock:
            depth, oldest = self._conn.execute("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'").fetchone()
            rejected, delivered = self._conn.execute(
                "SELECT COALESCE(SUM(state = 'rejected'), 0), COALESCE(SUM(state = 'delivered'), 0) FROM outbox").fetchone()
        return OutboxStats(int(depth), max(0.0, now - oldest) if oldest is not None else 0.0, int(rejected), int(delivered))
