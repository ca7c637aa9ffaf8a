"""Stores that fail safe: FULL sync, a corrupt kiosk.db quarantined (kept, renamed, reported) and a fresh one started,
"disk is full" never hidden by a second ROLLBACK, atomic checksummed state files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.errors import StoreError
from kiosk.flows.session import Session
from kiosk.privacy import SensitiveValues
from kiosk.store import AuditTrail, Store
from kiosk.store.atomic import CorruptStateFile, read_checked_json, write_checked_json


def _filled(path: Path, records: int = 400) -> None:
    store = Store(path)
    audit = AuditTrail(store)
    for i in range(records):
        audit.append("terminal", "session.end", n=i, note="x" * 200)
    store.db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def test_every_connection_runs_synchronous_full(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.db")
    assert store.db().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_store_is_quarantined_and_a_fresh_one_started(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "kiosk.db"
    _filled(path)
    original = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(os.urandom(len(original)))
    else:
        path.write_bytes(original[: len(original) // 3])
    broken = path.read_bytes()

    store = Store(path)  # no traceback: a fresh store
    assert store.quarantined is not None
    kept, reason = store.quarantined
    assert kept.name.startswith("kiosk.db.corrupt-") and kept.read_bytes() == broken and reason
    audit = AuditTrail(store)
    assert [r.action for r in audit.records()] == ["store.quarantined"] and audit.verify().ok
    assert store.alerts()[0]["code"] == "store_quarantined" and kept.name in store.alerts()[0]["message"]
    audit.append("terminal", "session.start")  # and it works
    assert Store(path).quarantined is None  # the fresh one is healthy: nothing quarantined again


def test_a_healthy_store_is_never_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    _filled(path, records=5)
    store = Store(path)
    assert store.quarantined is None and len(AuditTrail(store).records()) == 5
    assert list(tmp_path.glob("*.corrupt-*")) == []


def test_disk_full_is_not_hidden_and_the_record_waits_for_space(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(tmp_path / "kiosk.db")
    audit = AuditTrail(store)
    audit.append("terminal", "session.start")
    pages = store.db().execute("PRAGMA page_count").fetchone()[0]
    store.db().execute(f"PRAGMA max_page_count = {pages + 1}")  # SQLITE_FULL, as on a full disk
    queued = audit.append("terminal", "big", blob="x" * 200_000)  # never "cannot rollback - no transaction is active"
    assert queued.seq == 0 and audit.backlog == 1 and "disk is full" in caplog.text
    assert audit.alerts()[0]["code"] == "audit_backlog" and audit.flush() == 0
    store.db().execute("PRAGMA max_page_count = 1000000")  # space again
    written = audit.append("terminal", "session.end")
    assert written.seq == 3 and audit.backlog == 0 and audit.alerts() == []
    assert audit.verify().ok and [r.action for r in audit.records()] == ["session.start", "big", "session.end"]


def test_other_store_failures_still_raise_with_sqlites_reason(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.db")
    audit = AuditTrail(store)
    store.db().execute("DROP TABLE audit")
    with pytest.raises(StoreError, match="no such table"):
        audit.append("terminal", "session.start")
    assert audit.backlog == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_session_that_fills_the_disk_is_still_wiped_and_recorded(small_disk: Path) -> None:
    store = Store(small_disk / "kiosk.db")
    audit = AuditTrail(store)
    session = Session(small_disk / "sessions", audit, SensitiveValues())
    audit.append("terminal", "session.started", session=session.id)
    scans = 0
    with pytest.raises(OSError):  # the citizen's ID scans fill the 2 MB disk
        while True:
            session.temp_file(f"scan-{scans}.jpg").write_bytes(os.urandom(256 * 1024))
            scans += 1
    ended = audit.append("terminal", "session.ended", session=session.id, reason="disk_full")
    assert ended.seq == 0 and audit.backlog >= 1  # "disk is full": kept, not raised, so the end goes on
    wiped = session.wipe("disk_full")
    assert wiped["files"] >= scans >= 1 and not (small_disk / "sessions" / session.id).exists()
    actions = [r.action for r in audit.records()]
    assert actions == ["session.started", "session.ended", "session.wiped"] and audit.verify().ok and audit.backlog == 0


def test_state_files_are_checksummed_and_a_torn_one_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_checked_json(path, {"active": 3, "staged": None})
    assert read_checked_json(path) == {"active": 3, "staged": None}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")  # torn
    with pytest.raises(CorruptStateFile, match="torn"):
        read_checked_json(path)
    doc = json.loads(text)
    doc["data"]["active"] = 1  # parses, but is not what was written
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(CorruptStateFile, match="checksum"):
        read_checked_json(path)
    assert read_checked_json(tmp_path / "absent.json") is None
    path.write_text('{"active": 2}', encoding="utf-8")  # written before checksums existed
    assert read_checked_json(path) == {"active": 2}
    with pytest.raises(CorruptStateFile):
        read_checked_json(path, legacy=False)


def test_sqlite_itself_still_refuses_garbage(tmp_path: Path) -> None:
    """Control: the garbage used above really is unreadable to SQLite (the quarantine is not a no-op)."""
    path = tmp_path / "g.db"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()
