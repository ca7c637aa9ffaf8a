"""The lazy filesystem keeps exactly what was made durable: a file's fsync its data, a directory's fsync its names."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.powercut.mount import PowerCutMount


@pytest.fixture
def fs(tmp_path: Path) -> Iterator[PowerCutMount]:
    with PowerCutMount(tmp_path / "fs") as mount:
        yield mount


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, data: bytes, sync: bool) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        if sync:
            os.fsync(handle.fileno())


def test_what_was_not_fsynced_is_gone_after_the_cut_and_what_was_is_kept(fs: PowerCutMount) -> None:
    d = fs.mnt
    _write(d / "kept", b"durable", sync=True)
    _write(d / "empty", b"written, never synced", sync=False)
    _fsync(d)  # both names durable, only one content
    _write(d / "nameless", b"synced data, name never synced", sync=True)
    with open(d / "kept", "r+b") as handle:  # an overwrite after the fsync: page cache only
        handle.write(b"CHANGED")
    assert (d / "kept").read_bytes() == b"CHANGED"  # the running process sees its writes
    fs.cut()
    with pytest.raises(OSError):  # no operation after the cut
        (d / "kept").read_bytes()
    fs.restart()
    assert sorted(os.listdir(d)) == ["empty", "kept"]
    assert (d / "kept").read_bytes() == b"durable"
    assert (d / "empty").read_bytes() == b""


def test_a_rename_is_durable_only_with_the_directory_fsync(fs: PowerCutMount) -> None:
    d = fs.mnt
    _write(d / "state.json", b"old", sync=True)
    _fsync(d)
    _write(d / "a.tmp", b"new", sync=True)
    os.replace(d / "a.tmp", d / "state.json")
    _write(d / "b.tmp", b"newer", sync=True)
    (d / "sub").mkdir()
    fs.cut()
    fs.restart()
    assert sorted(os.listdir(d)) == ["state.json"] and (d / "state.json").read_bytes() == b"old"

    os.replace(d / "state.json", d / "moved.json")
    _fsync(d)
    fs.cut()
    fs.restart()
    assert sorted(os.listdir(d)) == ["moved.json"] and (d / "moved.json").read_bytes() == b"old"


@pytest.mark.parametrize(("synchronous", "all_kept"), [("FULL", True), ("NORMAL", False)])
def test_sqlite_keeps_every_commit_with_full_and_loses_the_last_ones_with_normal(fs: PowerCutMount, synchronous: str, all_kept: bool) -> None:
    """The negative control: under WAL, synchronous=NORMAL acknowledges commits a cut then takes back."""
    db = sqlite3.connect(fs.mnt / "x.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute("CREATE TABLE t (n INTEGER)")
    for n in range(40):
        db.execute("INSERT INTO t VALUES (?)", (n,))
    fs.cut()
    db.close()
    fs.restart()
    reader = sqlite3.connect(fs.mnt / "x.db")
    try:
        kept = reader.execute("SELECT COUNT(*) FROM t").fetchone()[0]
    except sqlite3.OperationalError:  # even the table's creation was only in the page cache
        kept = 0
    finally:
        reader.close()
    assert (kept == 40) is all_kept, kept
