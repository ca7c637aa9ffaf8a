"""The durable outbox: an application is committed to SQLite (sealed) before the citizen gets a receipt.

One row per application; its id is the idempotency key the platform dedups on, so redelivery after
a crash at any instant creates no second case. After acknowledgement the sealed payload and
materials are wiped; the row keeps receipt, case id and timestamps. Self-contained (own DB file,
WAL, synchronous=FULL) so it keeps delivering when ``kiosk.db`` is corrupt and quarantined.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import OutboxUnavailable, StoreError
from kiosk.store.database import damage, quarantine
from kiosk.store.scrub import truncate_wal
from kiosk.terminal.outbox.crypto import Sealer, load_or_create_seal_key, opens, read_key

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, receipt TEXT NOT NULL UNIQUE, created_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
    last_error TEXT, payload BLOB, case_id TEXT, delivered_at REAL, reject_code TEXT, reject_message TEXT, reject_field TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS outbox_material (
    entry_id TEXT NOT NULL, idx INTEGER NOT NULL, content BLOB NOT NULL, PRIMARY KEY (entry_id, idx));
"""
#: The first receipt sequence of a fresh outbox after a quarantine (above any the old one printed in practice).
QUARANTINE_SEQ = 900_000
#: A held application is tried again this long after the platform said it does not know its item, even without a sync.
HELD_RECHECK_S = 6 * 3600
#: Columns added after the first release (an existing outbox.db gains them on open).
UPGRADES = {"rejected_at": "REAL", "catalog_retries": "INTEGER NOT NULL DEFAULT 0", "redriven": "INTEGER NOT NULL DEFAULT 0"}
COLUMNS = ("id, receipt, created_at, state, attempts, last_error, case_id, delivered_at, reject_code, reject_message, reject_field, "
           "rejected_at, catalog_retries, redriven")


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
    rejected: int  # dead letters
    delivered: int
    held: int = 0  # waiting for the next catalog sync
    unavailable: str = ""  # the key problem, when no application can be accepted

    def to_dict(self) -> dict[str, Any]:
        return {"depth": self.depth, "oldest_age_s": round(self.oldest_age_s, 1), "rejected": self.rejected, "held": self.held,
                "unavailable": bool(self.unavailable)}


class Outbox:
    """``seal_key``: the key bytes, or the path of ``outbox.key`` (created only while no sealed row exists).

    States: ``pending`` (to deliver) → ``delivered``; ``held`` (the platform did not know the item or
    its version: back to pending after the next catalog sync); ``rejected`` (the dead letter: refused
    for good, reason kept, sealed for a technician's ``kiosk outbox redrive|export``).
    """

    def __init__(self, path: str | Path, seal_key: bytes | Path, terminal_id: str, *, create_key: bool = True,
                 quarantine_corrupt: bool = True) -> None:
        """``create_key=False`` (a technician's tool): never create outbox.key, even while nothing is sealed.

        A file that is not a database or fails ``quick_check`` is quarantined (kept as ``outbox.db.corrupt-<UTC>`` for
        recovery with sqlite3 ``.recover`` and the key) and a fresh outbox started, numbering receipts from
        ``QUARANTINE_SEQ`` so none repeats a receipt already printed; a critical alert says so. Not in a technician's
        tool (``quarantine_corrupt=False``: it reports the error instead)."""
        self.path = str(path)
        self.create_key = create_key
        self.quarantined: tuple[Path, str] | None = None
        found = damage(Path(self.path)) if quarantine_corrupt else ""
        if found:
            self.quarantined = (quarantine(Path(self.path), found), found)
        self.terminal_id = terminal_id
        self.key_path = seal_key if isinstance(seal_key, Path) else None
        self._given_key = seal_key if isinstance(seal_key, bytes) else None
        self._sealer: Sealer | None = None
        self.unavailable = ""  # why no application can be accepted or delivered (key missing or wrong); empty when fine
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA secure_delete=ON")  # a delivered application leaves no readable free page
            self._conn.executescript(SCHEMA)
            have = {r[1] for r in self._conn.execute("PRAGMA table_info(outbox)")}
            for column, decl in UPGRADES.items():
                if column not in have:
                    self._conn.execute(f"ALTER TABLE outbox ADD COLUMN {column} {decl}")
            if self.quarantined is not None:
                self._conn.execute("INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox', ? WHERE NOT EXISTS "
                                   "(SELECT 1 FROM sqlite_sequence WHERE name = 'outbox')", (QUARANTINE_SEQ,))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open outbox {self.path}: {exc}") from None
        self._unlock()

    # ----- the key: never regenerated over sealed rows -------------------------------------------
    def sealed_sample(self) -> tuple[str, bytes] | None:
        """The newest sealed payload (entry id, blob): what a key must open to be this outbox's key."""
        with self._lock:
            found = self._conn.execute("SELECT id, payload FROM outbox WHERE payload IS NOT NULL ORDER BY seq DESC LIMIT 1").fetchone()
        return (found[0], found[1]) if found else None

    def _unlock(self) -> None:
        sample = self.sealed_sample()
        with self._lock:
            sealed = self._conn.execute("SELECT COUNT(*) FROM outbox WHERE payload IS NOT NULL").fetchone()[0]
        key = self._given_key
        try:
            if self.key_path is not None:
                key = read_key(self.key_path)
                if key is None and sample is None:
                    if not self.create_key:
                        self._sealer, self.unavailable = None, ""  # nothing sealed, nothing to open
                        return
                    key = load_or_create_seal_key(self.key_path)  # nothing sealed yet: a fresh key loses nothing
        except StoreError as exc:
            key, problem = None, str(exc)
        else:
            problem = f"{self.key_path} is missing" if key is None else ""
        if key is not None and not opens(key, sample):
            problem = f"{self.key_path or 'the key'} does not open the sealed applications"
        if problem:
            self._sealer = None
            self.unavailable = f"{problem}; {sealed} sealed application(s) kept: restore the backed-up key (kiosk outbox restore-key)"
            log.error("outbox unavailable, no new applications: %s", self.unavailable)
            return
        assert key is not None
        self._sealer, self.unavailable = Sealer(key), ""

    def recheck(self) -> bool:
        """Try the key again (restored by a technician): True when the outbox is available."""
        if self.unavailable:
            self._unlock()
            if not self.unavailable:
                log.warning("outbox key restored: accepting and delivering again")
        return not self.unavailable

    def _require(self) -> Sealer:
        if self._sealer is None:
            raise OutboxUnavailable(self.unavailable or f"{self.key_path}: no key")
        return self._sealer

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def enqueue(self, application: dict[str, Any], materials: list[Material] = (), now: float | None = None) -> OutboxEntry:  # type: ignore[assignment]
        """Commit the application durably and return its local receipt; nothing is sent here."""
        sealer = self._require()
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
            sealed = sealer.seal(json.dumps(payload, ensure_ascii=False).encode("utf-8"), entry_id)
            self._conn.execute("UPDATE outbox SET receipt = ?, payload = ? WHERE id = ?", (receipt, sealed, entry_id))
            for index, material in enumerate(materials):
                if material.content:
                    blob = sealer.seal(material.content, f"{entry_id}:{index}")
                    self._conn.execute("INSERT INTO outbox_material (entry_id, idx, content) VALUES (?, ?, ?)", (entry_id, index, blob))
        return OutboxEntry(entry_id, receipt, now)

    def due(self, now: float | None = None, limit: int = 20) -> list[str]:
        if self._sealer is None:
            return []  # nothing can be opened: the rows wait for the key
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
        sealer = self._require()
        with self._lock:
            found = self._conn.execute("SELECT payload FROM outbox WHERE id = ?", (entry_id,)).fetchone()
            blobs = dict(self._conn.execute("SELECT idx, content FROM outbox_material WHERE entry_id = ?", (entry_id,)).fetchall())
        if found is None or found[0] is None:
            raise StoreError(f"outbox entry {entry_id} has no payload")
        payload = json.loads(sealer.open(found[0], entry_id))
        materials = [Material(content=sealer.open(blobs[i], f"{entry_id}:{i}") if i in blobs else b"", **meta)
                     for i, meta in enumerate(payload.pop("_materials"))]
        return payload, materials

    def mark_delivered(self, entry_id: str, case_id: str, now: float | None = None) -> None:
        """Acknowledged: keep receipt and case id, wipe the sealed personal data."""
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("UPDATE outbox SET state = 'delivered', case_id = ?, delivered_at = ?, payload = NULL, last_error = NULL WHERE id = ?",
                               (case_id, time.time() if now is None else now, entry_id))
            self._conn.execute("DELETE FROM outbox_material WHERE entry_id = ?", (entry_id,))
        self.scrub()

    def scrub(self) -> bool:
        """The WAL checkpointed and truncated: no frame keeps the wiped payload (``kiosk.store.scrub``)."""
        with self._lock:
            return truncate_wal(self._conn, Path(self.path).name)

    def mark_retry(self, entry_id: str, error: str, backoff_s: Callable[[int], float]) -> int:
        """Count a failed attempt and schedule the next one ``backoff_s(attempts)`` from now."""
        with self._lock:
            found = self._conn.execute("SELECT attempts FROM outbox WHERE id = ?", (entry_id,)).fetchone()
            attempts = int(found[0]) + 1 if found else 1
            self._conn.execute("UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                               (attempts, error[:500], time.time() + backoff_s(attempts), entry_id))
            return attempts

    def mark_rejected(self, entry_id: str, code: str, message: str, field: str | None) -> None:
        """The dead letter: the platform refused it for good (4xx). Kept sealed with the platform's reason,
        raised in the heartbeat's alerts, never retried until a technician re-drives it."""
        with self._lock:
            self._conn.execute("UPDATE outbox SET state = 'rejected', attempts = attempts + 1, rejected_at = ?, "
                               "reject_code = ?, reject_message = ?, reject_field = ? WHERE id = ?",
                               (time.time(), code, message[:500], field, entry_id))

    def mark_held(self, entry_id: str, code: str, message: str, field: str | None) -> None:
        """The platform did not know the item (or its version) the terminal's catalog offered: wait for the next catalog sync."""
        with self._lock:
            self._conn.execute("UPDATE outbox SET state = 'held', attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
                               "reject_code = ?, reject_message = ?, reject_field = ? WHERE id = ?",
                               (f"{code}: {message}"[:500], time.time() + HELD_RECHECK_S, code, message[:500], field, entry_id))

    def release_stale_held(self, now: float | None = None) -> int:
        """Held longer than ``HELD_RECHECK_S`` with no catalog sync: tried again (the platform may have learnt the item),
        held again if it still does not know it — never a dead letter without a sync in between."""
        with self._lock:
            cursor = self._conn.execute("UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE state = 'held' AND next_attempt_at <= ?",
                                        (time.time(), time.time() if now is None else now))
        return cursor.rowcount

    def release_held(self) -> int:
        """After a catalog sync: every held entry is due again (once; a second mismatch is a dead letter)."""
        with self._lock:
            cursor = self._conn.execute("UPDATE outbox SET state = 'pending', next_attempt_at = ?, catalog_retries = catalog_retries + 1 "
                                        "WHERE state = 'held'", (time.time(),))
        if cursor.rowcount:
            log.info("catalog synced: %d held application(s) due again", cursor.rowcount)
        return cursor.rowcount

    def redrive(self, entry_id: str) -> bool:
        """A technician's re-drive: a dead letter (or held entry) is pending again, due now. False if it is not one."""
        with self._lock:
            cursor = self._conn.execute("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, redriven = redriven + 1, "
                                        "catalog_retries = 0, last_error = 'redriven after ' || COALESCE(reject_code, '?') "
                                        "WHERE (id = ? OR receipt = ?) AND state IN ('rejected', 'held') AND payload IS NOT NULL",
                                        (time.time(), entry_id, entry_id))
        return cursor.rowcount > 0

    def get(self, entry_id: str) -> dict[str, Any] | None:
        """One row (no payload), by entry id or by the citizen's receipt number."""
        with self._lock:
            cursor = self._conn.execute(f"SELECT {COLUMNS} FROM outbox WHERE id = ? OR receipt = ?", (entry_id, entry_id))
            found = cursor.fetchone()
            return dict(zip([c[0] for c in cursor.description], found, strict=True)) if found else None

    def entries(self, states: tuple[str, ...] = ("pending", "held", "rejected"), limit: int = 200) -> list[dict[str, Any]]:
        """Rows in ``states``, oldest first (no payload): what a technician lists."""
        marks = ", ".join("?" * len(states))
        with self._lock:
            cursor = self._conn.execute(f"SELECT {COLUMNS} FROM outbox WHERE state IN ({marks}) ORDER BY seq LIMIT ?", (*states, limit))
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    def sealed(self, entry_id: str) -> tuple[bytes, dict[int, bytes]]:
        """The sealed payload and material blobs as stored (for a sealed export); StoreError when wiped."""
        with self._lock:
            found = self._conn.execute("SELECT payload FROM outbox WHERE id = ?", (entry_id,)).fetchone()
            blobs = dict(self._conn.execute("SELECT idx, content FROM outbox_material WHERE entry_id = ?", (entry_id,)).fetchall())
        if found is None or found[0] is None:
            raise StoreError(f"outbox entry {entry_id} has no payload")
        return found[0], blobs

    def stats(self, now: float | None = None) -> OutboxStats:
        now = time.time() if now is None else now
        with self._lock:
            depth, oldest = self._conn.execute("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'").fetchone()
            rejected, delivered, held = self._conn.execute(
                "SELECT COALESCE(SUM(state = 'rejected'), 0), COALESCE(SUM(state = 'delivered'), 0), COALESCE(SUM(state = 'held'), 0) "
                "FROM outbox").fetchone()
        return OutboxStats(int(depth), max(0.0, now - oldest) if oldest is not None else 0.0, int(rejected), int(delivered), int(held),
                           self.unavailable)

    def alerts(self) -> list[dict[str, Any]]:
        """What needs a person, for the heartbeat: dead letters (with the first reasons) and an unavailable key."""
        out: list[dict[str, Any]] = []
        if self.quarantined is not None:
            out.append({"code": "outbox_quarantined", "severity": "critical",
                        "message": f"outbox.db was corrupt ({self.quarantined[1]}); kept as {self.quarantined[0].name} for recovery"[:300]})
        if self.unavailable:
            out.append({"code": "outbox_key_unavailable", "severity": "critical", "message": self.unavailable[:300]})
        with self._lock:
            dead = self._conn.execute("SELECT reject_code, COUNT(*) FROM outbox WHERE state = 'rejected' GROUP BY reject_code "
                                      "ORDER BY COUNT(*) DESC").fetchall()
        with self._lock:
            held = self._conn.execute("SELECT COUNT(*) FROM outbox WHERE state = 'held'").fetchone()[0]
        if held:  # not lost, but the platform's catalog and ours disagree: someone should know before the next sync
            out.append({"code": "outbox_catalog_mismatch", "severity": "warning", "count": held,
                        "message": f"{held} application(s) wait for the next catalog sync (the platform does not know their item)"})
        if dead:
            total = sum(n for _, n in dead)
            reasons = ", ".join(f"{code} ×{n}" for code, n in dead[:5])
            out.append({"code": "outbox_dead_letter", "severity": "error", "count": total,
                        "message": f"{total} application(s) refused by the platform ({reasons}): kiosk outbox list"[:300]})
        return out
