"""The 15 ways to rewrite an audit trail (issue 16): every one is caught by ``kiosk audit verify`` — exit 1 naming
what broke — and verify changes no byte of what it looked at.

The attacker of cases 1–11 and 13–15 can write the data dir's database (a copied disk, a technician's shell) but
not the keys directory; case 12 is root: they swap the key and re-MAC everything they can reach, and only the head
that already left the box (the platform's acknowledgement, and the platform's own copy via ``--head``) catches it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.security import suite as suites
from kiosk.store import AuditTrail, Store
from kiosk.store.audit_keys import Anchor, AuditKeys
from kiosk.store.audit_verify import LEGACY_SUITE, legacy_digest, record_body

RECORDS = 10
ACKED = 8  # the platform acknowledged record 8 in a heartbeat; 9 and 10 were written since


def kiosk_verify(data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", "audit", "verify", "--db", str(data / "kiosk.db"), *extra],
                          capture_output=True, text=True, timeout=60)


def build(data: Path) -> None:
    """10 records; the platform acknowledged record 8; a copy of the file was taken at record 6 (``older.db``)."""
    trail = AuditTrail(Store(data / "kiosk.db"))
    for i in range(RECORDS):
        if i == 6:
            trail.store.close()
            sql(data, "PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(data / "kiosk.db", data.parent / "older.db")
            trail = AuditTrail(Store(data / "kiosk.db"))
        trail.append("terminal", "session.wiped", session=f"s{i}", files=i)
        if i + 1 == ACKED:
            head = trail.head()
            assert trail.acknowledged(head.seq, head.mac)
    trail.store.close()


def sql(data: Path, *statements: str) -> None:
    conn = sqlite3.connect(data / "kiosk.db", isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


def rows(data: Path) -> list[tuple]:
    conn = sqlite3.connect(data / "kiosk.db")
    found = conn.execute("SELECT seq, ts, actor, action, detail, prev_hash, hash, suite FROM audit ORDER BY seq").fetchall()
    conn.close()
    return found


def rechain(data: Path, mac: Callable[[bytes, str], str] | None) -> None:
    """Recompute prev/MAC of every row and the audit_head row, as a careful attacker would (legacy SHA-256 when no key)."""
    conn = sqlite3.connect(data / "kiosk.db", isolation_level=None)
    prev = "0" * 64
    seq = 0
    for seq, ts, actor, action, detail, _p, _h, _s in conn.execute("SELECT * FROM audit ORDER BY seq").fetchall():
        if mac is None:
            digest, suite = legacy_digest(prev, seq, ts, actor, action, detail), LEGACY_SUITE
        else:
            suite = suites.SM2_SM3
            digest = mac(record_body(prev, seq, ts, actor, action, detail, suite), suite)
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ?, suite = ? WHERE seq = ?", [prev, digest, suite, seq])
        prev = digest
    conn.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", [seq, prev])
    conn.close()


def fix_head(data: Path) -> None:
    conn = sqlite3.connect(data / "kiosk.db", isolation_level=None)
    seq, mac = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone() or (0, "0" * 64)
    conn.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", [seq, mac])
    conn.close()


# ----- the 15 cases: each returns the words the verdict must contain ----------------------------------------
def edit_a_field(data: Path) -> str:
    sql(data, "UPDATE audit SET actor = 'nobody' WHERE seq = 5")
    return "record 5"


def edit_and_recompute_chain(data: Path) -> str:
    sql(data, "UPDATE audit SET detail = '{\"files\": 0, \"session\": \"forged\"}' WHERE seq = 5")
    rechain(data, None)  # the old public algorithm: all a key-less attacker can compute
    return "record"


def delete_middle(data: Path) -> str:
    sql(data, "DELETE FROM audit WHERE seq = 5")
    return "record 5 is missing"


def delete_tail(data: Path) -> str:
    sql(data, "DELETE FROM audit WHERE seq >= 9")
    return "missing"


def delete_tail_fix_head(data: Path) -> str:
    sql(data, "DELETE FROM audit WHERE seq >= 9")
    fix_head(data)
    return "records 9..10 are missing"


def renumber_after_delete(data: Path) -> str:
    sql(data, "DELETE FROM audit WHERE seq = 5", *[f"UPDATE audit SET seq = {s - 1} WHERE seq = {s}" for s in range(6, RECORDS + 1)])
    conn = sqlite3.connect(data / "kiosk.db", isolation_level=None)
    mac4 = conn.execute("SELECT hash FROM audit WHERE seq = 4").fetchone()[0]
    conn.execute("UPDATE audit SET prev_hash = ? WHERE seq = 5", [mac4])
    conn.close()
    fix_head(data)
    return "record 5"


def append_forged(data: Path) -> str:
    last = rows(data)[-1]
    forged = os.urandom(32).hex()
    sql(data, f"INSERT INTO audit (seq, ts, actor, action, detail, prev_hash, hash, suite) VALUES "
              f"({RECORDS + 1}, {last[1] + 1}, 'technician', 'maint.enter', '{{}}', '{last[6]}', '{forged}', 'SM2-SM3')")
    fix_head(data)
    return f"record {RECORDS + 1}"


def wipe_all(data: Path) -> str:
    sql(data, "DELETE FROM audit", "DELETE FROM audit_head")
    return "missing"


def reorder(data: Path) -> str:
    r4, r5 = rows(data)[3], rows(data)[4]
    conn = sqlite3.connect(data / "kiosk.db", isolation_level=None)
    for target, source in ((4, r5), (5, r4)):
        conn.execute("UPDATE audit SET ts = ?, actor = ?, action = ?, detail = ? WHERE seq = ?", [*source[1:5], target])
    conn.close()
    return "record 4"


def duplicate(data: Path) -> str:
    r3 = rows(data)[2]
    conn = sqlite3.connect(data / "kiosk.db", isolation_level=None)
    conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [RECORDS + 1, *r3[1:]])
    conn.close()
    fix_head(data)
    return f"record {RECORDS + 1}"


def change_timestamp(data: Path) -> str:
    sql(data, "UPDATE audit SET ts = ts - 3600 WHERE seq = 6")
    return "record 6"


def swap_mac_key(data: Path) -> str:
    """Root: a new key, the whole chain re-MACed with it, audit_head and the local anchor rewritten."""
    keys = AuditKeys(data / "keys")
    (data / "keys" / "audit.key").unlink()
    (data / "keys" / "audit.key").write_bytes(os.urandom(32))
    rechain(data, lambda body, suite: keys.mac(body, suite))
    last = rows(data)[-1]
    keys.write_head(Anchor(last[0], last[6]))
    return "audit.acked"


def truncate_file(data: Path) -> str:
    sql(data, "PRAGMA wal_checkpoint(TRUNCATE)")
    path = data / "kiosk.db"
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    return "unreadable"


def replace_with_older_copy(data: Path) -> str:
    for side in ("kiosk.db-wal", "kiosk.db-shm"):
        (data / side).unlink(missing_ok=True)
    shutil.copyfile(data.parent / "older.db", data / "kiosk.db")  # the backup taken at record 6
    return "records 7..10 are missing"


def drop_the_table(data: Path) -> str:
    sql(data, "DROP TABLE audit")
    return "audit table is gone"


CASES = [edit_a_field, edit_and_recompute_chain, delete_middle, delete_tail, delete_tail_fix_head, renumber_after_delete,
         append_forged, wipe_all, reorder, duplicate, change_timestamp, swap_mac_key, truncate_file, replace_with_older_copy,
         drop_the_table]


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    build(data)
    return data


def test_the_untouched_trail_verifies_and_verify_writes_nothing(data: Path) -> None:
    before = snapshot(data)
    result = kiosk_verify(data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{RECORDS} record(s) verified" in result.stdout
    assert snapshot(data) == before


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_tampering_is_caught(data: Path, case: Callable[[Path], str]) -> None:
    expected = case(data)
    before = snapshot(data)
    result = kiosk_verify(data)
    assert result.returncode == 1, f"{case.__name__} undetected: {result.stdout}{result.stderr}"
    assert "BROKEN" in result.stdout and expected in result.stdout, result.stdout
    assert snapshot(data) == before, "verify altered what it checked"
    assert not list(data.glob("*corrupt*")), "verify quarantined the evidence"


def test_root_who_also_rewrites_the_acknowledged_anchor_is_caught_by_the_platforms_copy(data: Path) -> None:
    acked = json.loads((data / "keys" / "audit.acked").read_text())
    swap_mac_key(data)
    keys = AuditKeys(data / "keys")
    recomputed = rows(data)[ACKED - 1]
    keys.write_acked(Anchor(ACKED, recomputed[6]))  # not written: an ack never moves backwards or sideways ...
    (data / "keys" / "audit.acked").unlink()
    keys.write_acked(Anchor(ACKED, recomputed[6]))  # ... so the attacker deletes it first
    assert kiosk_verify(data).returncode == 0  # everything on the box agrees now
    result = kiosk_verify(data, "--head", f"{acked['seq']}:{acked['mac']}")
    assert result.returncode == 1 and f"record {ACKED} is not the one the head given by the platform names" in result.stdout


def test_deleting_the_local_anchor_too_is_caught_by_the_platforms_ack_or_recorded_at_open(data: Path) -> None:
    sql(data, "DELETE FROM audit WHERE seq >= 7")
    fix_head(data)
    (data / "keys" / "audit.head").unlink()
    result = kiosk_verify(data)
    assert result.returncode == 1 and "records 7..8 are missing: the platform-acknowledged head" in result.stdout
    trail = AuditTrail(Store(data / "kiosk.db"))  # the terminal starts on the cut trail: it says so, MACed
    assert trail.records()[-1].action == "audit.anchor_mismatch"


def test_a_lost_key_is_never_regenerated_and_verify_says_it_cannot_check(data: Path) -> None:
    from kiosk.store.audit_keys import AuditKeyMissing

    (data / "keys" / "audit.key").unlink()
    with pytest.raises(AuditKeyMissing, match="restore"):
        AuditTrail(Store(data / "kiosk.db"))
    assert not (data / "keys" / "audit.key").exists()
    result = kiosk_verify(data)
    assert result.returncode == 2 and "missing" in result.stderr


def test_retention_prunes_behind_a_signed_checkpoint_that_verify_accepts_and_a_forged_one_fails(tmp_path: Path) -> None:
    from kiosk.errors import StoreError
    from kiosk.store.audit import RETENTION_MIN_DAYS

    data = tmp_path / "data"
    build(data)
    trail = AuditTrail(Store(data / "kiosk.db"))
    with pytest.raises(StoreError, match="minimum"):
        trail.prune(retention_days=30)
    assert trail.prune(now=None) == 0  # nothing is 6 months old yet
    import time

    pruned = trail.prune(now=time.time() + (RETENTION_MIN_DAYS + 1) * 86400)  # half a year later: all but the newest
    assert pruned == RECORDS - 1 and [r.action for r in trail.records()] == ["session.wiped", "audit.pruned"]
    trail.store.close()
    result = kiosk_verify(data)
    assert result.returncode == 0 and "2 record(s) verified" in result.stdout and "pruned after retention" in result.stdout
    sql(data, "UPDATE audit_checkpoint SET seq = seq - 2")  # hide that records were removed later
    result = kiosk_verify(data)
    assert result.returncode == 1 and "checkpoint" in result.stdout
