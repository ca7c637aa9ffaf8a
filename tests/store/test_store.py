"""Store: WAL, migrations each in their own transaction, and the tamper-evident audit trail."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from kiosk.errors import StoreError
from kiosk.store import AuditTrail, Migrations, Store


def kiosk_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", *args], capture_output=True, text=True, timeout=60)


def test_store_uses_wal_and_applies_migrations_once(tmp_path: Path) -> None:
    extra = Migrations("extra")
    calls: list[int] = []

    @extra.register(1)
    def create_things(db: Database) -> None:
        calls.append(1)
        db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")

    store = Store(tmp_path / "k.db", [extra])
    assert store.db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    Store(tmp_path / "k.db", [extra])
    assert calls == [1]
    assert "things" in store.db().table_names()


def test_failed_migration_rolls_back_alone(tmp_path: Path) -> None:
    area = Migrations("area")

    @area.register(1)
    def good(db: Database) -> None:
        db.execute("CREATE TABLE good (id INTEGER)")

    @area.register(2)
    def bad(db: Database) -> None:
        db.execute("CREATE TABLE half (id INTEGER)")
        raise RuntimeError("boom")

    with pytest.raises(StoreError, match="area#2"):
        Store(tmp_path / "k.db", [area])
    db = Database(sqlite3.connect(tmp_path / "k.db"))
    assert "good" in db.table_names() and "half" not in db.table_names()
    assert [r[0] for r in db.execute("SELECT version FROM _migrations WHERE area='area'")] == [1]


def test_duplicate_migration_version_is_refused() -> None:
    area = Migrations("dup")
    area.register(1)(lambda db: None)
    with pytest.raises(StoreError):
        area.register(1)(lambda db: None)


def _filled_trail(tmp_path: Path, count: int = 10) -> tuple[Path, AuditTrail]:
    path = tmp_path / "kiosk.db"
    trail = AuditTrail(Store(path))
    for i in range(count):
        trail.append("terminal", "session.ended", session=f"s{i}", wiped_files=i)
    return path, trail


def test_intact_trail_verifies(tmp_path: Path) -> None:
    path, trail = _filled_trail(tmp_path)
    assert trail.verify().ok and trail.verify().checked == 10
    result = kiosk_cli("audit", "verify", "--db", str(path))
    assert result.returncode == 0 and "10 record(s)" in result.stdout


def test_edited_record_is_named_by_the_cli(tmp_path: Path) -> None:
    path, _ = _filled_trail(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE audit SET detail = '{\"session\": \"forged\"}' WHERE seq = 7")
    conn.commit()
    conn.close()
    result = kiosk_cli("audit", "verify", "--db", str(path))
    assert result.returncode == 1
    assert "record 7" in result.stdout and "altered" in result.stdout


def test_deleted_records_are_reported(tmp_path: Path) -> None:
    path, trail = _filled_trail(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM audit WHERE seq = 4")
    conn.commit()
    assert trail.verify().first_bad_seq == 4
    conn.execute("INSERT INTO audit SELECT * FROM audit WHERE 0")  # no-op, keep the connection honest
    conn.execute("DELETE FROM audit WHERE seq >= 4")
    conn.commit()
    result = trail.verify()
    assert not result.ok and result.first_bad_seq == 4 and "missing" in result.problem


def test_audit_details_are_masked(tmp_path: Path) -> None:
    _, trail = _filled_trail(tmp_path, 0)
    record = trail.append("flow", "identified", id_number="500112198703152620", name="张三丰")
    assert record.detail == {"id_number": "5001**********2620", "name": "张**"}
    assert b"500112198703152620" not in (tmp_path / "kiosk.db").read_bytes()
