"""The replay cursor on small hand-written recordings: write streams, read pacing, recorded failures."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from drivers.replay import wire
from drivers.replay.cursor import ReplayCursor, ReplayMismatch
from kiosk.errors import DeviceUnavailableError


def recording(tmp_path: Path, *events: dict[str, object]) -> wire.Recording:
    path = tmp_path / "r.jsonl"
    recorder = wire.Recorder(path, {"device_class": "idcard"})
    recorder.close()
    with path.open("a", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e) + "\n")
    return wire.load(path)


def test_writes_may_be_chunked_differently_from_the_recording(tmp_path: Path) -> None:
    rec = recording(tmp_path, {"t": 0, "op": "open"}, {"t": 0.1, "dir": "out", "hex": "0102"}, {"t": 0.2, "dir": "out", "hex": "0304"})
    cursor = ReplayCursor(rec, speed=0)
    cursor.operation("open")
    cursor.write(b"\x01")
    cursor.write(b"\x02\x03\x04")
    assert cursor.finished and cursor.out_offset == 4


def test_the_first_differing_byte_is_named_by_its_stream_offset(tmp_path: Path) -> None:
    rec = recording(tmp_path, {"t": 0, "dir": "out", "hex": "0102"}, {"t": 0.2, "dir": "out", "hex": "0304"})
    cursor = ReplayCursor(rec, speed=0)
    with pytest.raises(ReplayMismatch, match=r"offset 3 \(line 3, byte 1\): the driver wrote ff, the recording has 04"):
        cursor.write(b"\x01\x02\x03\xff")


def test_a_write_where_the_device_spoke_is_a_mismatch(tmp_path: Path) -> None:
    rec = recording(tmp_path, {"t": 0, "dir": "out", "hex": "01"}, {"t": 0.01, "dir": "in", "hex": "aa"})
    cursor = ReplayCursor(rec, speed=0)
    cursor.write(b"\x01")
    with pytest.raises(ReplayMismatch, match="a read of 1 bytes aa"):
        cursor.write(b"\x02")


def test_reads_come_in_pieces_and_not_before_they_are_due(tmp_path: Path) -> None:
    rec = recording(tmp_path, {"t": 1.0, "dir": "out", "hex": "01"}, {"t": 1.25, "dir": "in", "hex": "aabbcc"})
    cursor = ReplayCursor(rec, speed=1.0)
    cursor.write(b"\x01")
    assert cursor.read(2, timeout_s=0.0) == b""  # due 0.25 s after the write
    assert cursor.pending() == 0
    started = time.monotonic()
    assert cursor.read(2, timeout_s=2.0) == b"\xaa\xbb"
    assert time.monotonic() - started >= 0.2
    assert cursor.pending() == 1
    assert cursor.read(5, timeout_s=0.0) == b"\xcc"
    assert cursor.read(5, timeout_s=0.01) == b""  # silent after the recording ends
    assert cursor.in_offset == 3


def test_speed_zero_delivers_at_once(tmp_path: Path) -> None:
    rec = recording(tmp_path, {"t": 0.0, "dir": "out", "hex": "01"}, {"t": 30.0, "dir": "in", "hex": "aa"})
    cursor = ReplayCursor(rec, speed=0)
    cursor.write(b"\x01")
    assert cursor.read(1, timeout_s=0.0) == b"\xaa"


def test_a_recorded_failure_is_raised_again_and_the_end_means_no_device(tmp_path: Path) -> None:
    rec = recording(tmp_path, {"t": 0, "op": "open", "error": "DeviceUnavailableError", "message": "no device at /dev/ttyX"},
                    {"t": 1, "op": "close"})
    cursor = ReplayCursor(rec, speed=0)
    with pytest.raises(DeviceUnavailableError, match="no device at /dev/ttyX"):
        cursor.operation("open")
    assert cursor.finished  # close is bookkeeping
    with pytest.raises(DeviceUnavailableError, match="the recording has ended"):
        cursor.operation("open")


def test_apdus_are_answered_with_data_and_status(tmp_path: Path) -> None:
    rec = recording(tmp_path, {"t": 0, "dir": "out", "apdu": "00a40400"}, {"t": 0.001, "dir": "in", "apdu": "61159000"})
    cursor = ReplayCursor(rec, speed=1.0)
    assert cursor.transmit(bytes.fromhex("00a40400")) == bytes.fromhex("61159000")
    with pytest.raises(ReplayMismatch, match="end of the recording"):
        cursor.transmit(bytes.fromhex("00b2"))
