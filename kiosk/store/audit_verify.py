"""Verify an audit trail read-only: the chain of MACs, its checkpoint, and its end against the anchors outside it.

Opened with SQLite's ``mode=ro``: verification never quarantines, migrates, checkpoints or rewrites anything, so
the evidence an investigator looks at is the evidence that was there. What each check catches:

- a record's MAC covers its seq, time, actor, action, detail, suite and the previous MAC — an edited field, a
  changed timestamp, a renumbering, a reordering, a duplicate or a forged append fails it (no key, no MAC);
- seq must run without gaps from the checkpoint (or 1) — a deleted record is named;
- the newest record must reach the local anchor ``audit.head`` with the same MAC and the anchor the platform
  acknowledged ``audit.acked`` (and ``--head`` from the platform's own copy) — a cut tail, even with
  ``audit_head`` fixed up, a wipe, a dropped table and an older copy of the file all fall behind it, and a chain
  re-MACed under a swapped key no longer matches what left the box.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.errors import StoreError
from kiosk.store.audit_keys import Anchor, AuditKeys

GENESIS = "0" * 64
#: Records written before the trail was MACed (a plain SHA-256 chain): accepted only as the oldest part of it.
LEGACY_SUITE = "sha256-chain"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    notes: tuple[str, ...] = field(default=())


def legacy_digest(prev_hash: str, seq: int, ts: float, actor: str, action: str, detail_json: str) -> str:
    import hashlib

    body = json.dumps([seq, repr(ts), actor, action, detail_json], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def record_body(prev_mac: str, seq: int, ts: float, actor: str, action: str, detail_json: str, suite: str) -> bytes:
    """What a record's MAC covers (the previous MAC chains it)."""
    return (prev_mac + json.dumps([seq, repr(ts), actor, action, detail_json, suite], ensure_ascii=False, separators=(",", ":"))).encode()


def checkpoint_body(seq: int, mac: str, ts: float, pruned: int) -> bytes:
    return json.dumps(["checkpoint", seq, mac, repr(ts), pruned], separators=(",", ":")).encode()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


class _Walk:
    """One pass over the records; remembers each seq's MAC only where an anchor needs it."""

    def __init__(self, keys: AuditKeys, wanted: set[int]) -> None:
        self.keys, self.wanted = keys, wanted
        self.macs: dict[int, str] = {}

    def run(self, conn: sqlite3.Connection, start_seq: int, start_mac: str) -> VerifyResult:
        expected, prev, checked, keyed = start_seq, start_mac, 0, start_seq > 1
        cols = "seq, ts, actor, action, detail, prev_hash, hash, suite"
        for seq, ts, actor, action, detail_json, stored_prev, stored_mac, suite in conn.execute(f"SELECT {cols} FROM audit ORDER BY seq"):
            if seq != expected:
                return VerifyResult(False, checked, expected, f"record {expected} is missing (next present is {seq})")
            if stored_prev != prev:
                return VerifyResult(False, checked, seq, f"record {seq} does not chain to record {seq - 1} (prev_hash differs)")
            if suite == LEGACY_SUITE:
                if keyed:
                    return VerifyResult(False, checked, seq, f"record {seq} is unkeyed after MACed records (forged or re-chained)")
                good = legacy_digest(stored_prev, seq, ts, actor, action, detail_json) == stored_mac
            else:
                keyed = True
                try:
                    good = self.keys.mac_ok(record_body(stored_prev, seq, ts, actor, action, detail_json, suite), stored_mac, suite)
                except StoreError as exc:
                    return VerifyResult(False, checked, seq, f"record {seq}: {exc}")
            if not good:
                return VerifyResult(False, checked, seq, f"record {seq} was altered (MAC mismatch: edited, forged, or another key)")
            if seq in self.wanted:
                self.macs[seq] = stored_mac
            prev, expected, checked = stored_mac, seq + 1, checked + 1
        self.last_seq, self.last_mac = expected - 1, prev
        return VerifyResult(True, checked)


def verify_store(path: Path, keys: AuditKeys, platform_head: Anchor | None = None) -> VerifyResult:
    """Verify the trail in the SQLite file ``path`` without writing to it (or to anything else)."""
    anchors: list[tuple[str, Anchor]] = []
    notes: list[str] = []
    for name, read in (("local anchor audit.head", keys.head), ("platform-acknowledged head audit.acked", keys.acked)):
        try:
            found = read()
        except StoreError as exc:
            return VerifyResult(False, 0, None, str(exc))
        if found is not None:
            anchors.append((name, found))
        elif name.startswith("platform"):
            notes.append("no head acknowledged by the platform yet")
    if platform_head is not None:
        anchors.append(("head given by the platform", platform_head))
    if not path.exists():
        return VerifyResult(False, 0, 1 if anchors else None, f"no store at {path} (deleted)" if anchors else f"no store at {path}")
    # No WAL beside it: immutable, so not even a -shm/-wal is created. With one: read-only, the WAL read, never checkpointed.
    mode = "mode=ro" if path.with_name(path.name + "-wal").exists() else "immutable=1"
    try:
        conn = sqlite3.connect(f"file:{path}?{mode}", uri=True, timeout=10.0)
    except sqlite3.Error as exc:
        return VerifyResult(False, 0, None, f"store unreadable: {exc}")
    with closing(conn):
        try:
            return _verify(conn, keys, anchors, notes)
        except StoreError as exc:  # the key is missing or not this trail's
            return VerifyResult(False, 0, None, f"cannot verify: {exc}")
        except sqlite3.DatabaseError as exc:
            return VerifyResult(False, 0, None, f"store unreadable ({exc}): truncated, damaged or not a database")


def _verify(conn: sqlite3.Connection, keys: AuditKeys, anchors: list[tuple[str, Anchor]], notes: list[str]) -> VerifyResult:
    tables = _tables(conn)
    newest = max((a.seq for _, a in anchors), default=0)
    if "audit" not in tables:
        if newest:
            return VerifyResult(False, 0, 1, f"the audit table is gone but records 1..{newest} were written")
        return VerifyResult(True, 0, notes=tuple(notes))
    start_seq, start_mac, pruned_to = 1, GENESIS, 0
    if "audit_checkpoint" in tables:
        row = conn.execute("SELECT seq, mac, ts, pruned, tag FROM audit_checkpoint WHERE id = 1").fetchone()
        if row is not None:
            seq, mac, ts, pruned, tag = row
            if not keys.mac_ok(checkpoint_body(seq, mac, ts, pruned), tag):
                return VerifyResult(False, 0, seq, f"the retention checkpoint (through record {seq}) was altered or forged")
            start_seq, start_mac, pruned_to = seq + 1, mac, seq
            notes.append(f"records 1..{seq} pruned after retention (signed checkpoint)")
    walk = _Walk(keys, {a.seq for _, a in anchors})
    result = walk.run(conn, start_seq, start_mac)
    if not result.ok:
        return result
    checked = result.checked
    last_seq, last_mac = (walk.last_seq, walk.last_mac) if checked else (pruned_to, start_mac)
    head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone() if "audit_head" in tables else None
    if head and (head[0] != last_seq or head[1] != last_mac):
        return VerifyResult(False, checked, last_seq + 1, f"records {last_seq + 1}..{head[0]} are missing (the head says {head[0]})")
    for name, anchor in anchors:
        if anchor.seq > last_seq:
            return VerifyResult(False, checked, last_seq + 1,
                                f"records {last_seq + 1}..{anchor.seq} are missing: the {name} says {anchor.seq} (cut, wiped or an older copy)")
        if anchor.seq <= pruned_to:
            if anchor.seq == pruned_to and anchor.mac != start_mac:
                return VerifyResult(False, checked, anchor.seq, f"the checkpoint does not match the {name} (re-chained)")
            continue
        if walk.macs.get(anchor.seq) != anchor.mac:
            return VerifyResult(False, checked, anchor.seq, f"record {anchor.seq} is not the one the {name} names (re-chained or replaced)")
    return VerifyResult(True, checked, notes=tuple(notes))
