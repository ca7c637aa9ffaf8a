"""``kiosk device record`` against an emulator replays to the same result; a driver that diverges is caught."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drivers.replay import wire
from kiosk.errors import ConfigError
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass

from .conftest import SESSIONS, replay_url

ID = DeviceClass.ID_CARD_READER


def kiosk(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", *argv], capture_output=True, text=True, timeout=60)


async def test_a_recording_made_by_the_cli_replays_to_the_same_card(tmp_path: Path, replayed) -> None:
    out = tmp_path / "idcard.jsonl"
    done = kiosk("device", "record", "idcard", "--url", "sim:idcard?card=zhangsan", "--out", str(out), "--timeout", "5")
    assert done.returncode == 0, done.stderr
    assert "WARNING: personal data" in done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # a real card's recording is its holder's personal data
    header = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert (header["format"], header["version"], header["device_class"], header["driver"]) == (wire.FORMAT, 1, "idcard", "idcard.sim")

    direct_spec = DeviceSpec("idcard", ID, DeviceUrl.parse("sim:idcard?card=zhangsan"), timeout_s=5.0)
    direct = build_device(direct_spec, EventBus())
    try:
        assert (await direct.open()).ok
        expected = await direct.read_card()
    finally:
        await direct.close()

    reader = await replayed(ID, out, speed=1.0)
    result = await reader.read_card()
    assert result.ok and expected.ok, (result.description, expected.description)
    assert result.data == expected.data  # every field and the raw WLT photo
    assert reader.replay.remaining() == []


async def test_a_printer_status_recorded_by_the_cli_replays_to_the_same_state(tmp_path: Path, replayed) -> None:
    out = tmp_path / "printer.jsonl"
    done = kiosk("device", "record", "printer", "--url", "sim:printer?status=near_end", "--action", "status", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert wire.load(out).header["transport"] == {"kind": "tcp"}
    printer = await replayed(DeviceClass.RECEIPT_PRINTER, out, speed=1.0)
    result = await printer.refresh_status()
    assert result.ok, result.description
    assert printer.last_state.paper == "near_end"
    assert printer.replay.remaining() == []


def test_record_refuses_a_bad_url_with_the_config_exit_code(tmp_path: Path) -> None:
    done = kiosk("device", "record", "idcard", "--url", "nosuchscheme:x", "--out", str(tmp_path / "x.jsonl"))
    assert done.returncode == 78, done.stderr
    assert not (tmp_path / "x.jsonl").exists()


async def test_a_different_write_is_a_protocol_error_naming_the_offset(replayed) -> None:
    reader = await replayed(ID, "idcard-read")
    result = await reader.read_card(fingerprint=True)  # 30 10 where the recording read 30 01
    assert result.code is CompletionCode.HARDWARE_ERROR
    found = re.search(r"write differs at offset (\d+) \(line (\d+), byte (\d+)\)", result.description)
    assert found, result.description
    assert int(found[1]) == 4 * 10 + 8  # four 10-byte requests matched (status, SAM id, find, select), then CMD/PARA
    assert "10 23" in result.description and "01 32" in result.description  # what the driver wrote vs the recording


async def test_a_driver_doing_more_than_recorded_hits_the_end_of_the_recording(replayed) -> None:
    reader = await replayed(ID, "idcard-no-card")
    assert (await reader.read_card()).code is CompletionCode.NO_MEDIA
    again = await reader.read_card()
    assert again.code is CompletionCode.HARDWARE_ERROR
    assert "end of the recording" in again.description


async def test_a_different_apdu_is_caught_at_its_byte(replayed) -> None:
    reader = await replayed(DeviceClass.CHIP_CARD_READER, "chipcard-read")
    result = await reader.read_technician_id()  # selects the technician application, not SSSE
    assert result.code is CompletionCode.HARDWARE_ERROR
    assert re.search(r"APDU differs at byte \d+", result.description), result.description


async def test_a_different_receipt_is_caught(replayed) -> None:
    from datetime import datetime

    from kiosk.receipts import build_test_page

    printer = await replayed(DeviceClass.RECEIPT_PRINTER, "printer-test-page")
    result = await printer.print_document(build_test_page("another-terminal", datetime(2026, 1, 1, 9, 0)))
    assert result.code is CompletionCode.HARDWARE_ERROR
    assert "write differs at offset" in result.description


async def test_recorded_timing_is_kept_at_speed_one(replayed) -> None:
    scanner = await replayed(DeviceClass.BARCODE_READER, "barcode-scan", speed=1.0)
    started = time.monotonic()
    result = await scanner.read_code(timeout=3.0)
    assert result.ok, result.description
    assert time.monotonic() - started >= 0.3  # the code came ~0.38 s after the port opened, in the recording


def test_a_recording_of_another_class_is_a_config_error() -> None:
    spec = DeviceSpec("chipcard", DeviceClass.CHIP_CARD_READER, DeviceUrl.parse(replay_url(SESSIONS / "idcard-read.jsonl")))
    with pytest.raises(ConfigError, match="records a idcard device"):
        build_device(spec, EventBus())


@pytest.mark.parametrize(("text", "why"), [
    ('{"format": "something-else", "version": 1}\n', "not a kiosk-wire-recording header"),
    ('{"format": "kiosk-wire-recording", "version": 2}\n', "version 2"),
    ('{"format": "kiosk-wire-recording", "version": 1}\n{"t": 0.1, "dir": "out"}\n', "line 2: bad event"),
    ('{"format": "kiosk-wire-recording", "version": 1}\nnot json\n', "line 2: not JSON"),
])
def test_a_broken_recording_names_the_line(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(why)):
        wire.load(path)


def test_the_recorder_writes_owner_only_even_over_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    recorder = wire.Recorder(path, {"device_class": "idcard"})
    recorder.data(wire.OUT, b"\x01\x02")
    recorder.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = wire.load(path)
    assert [(e.dir, e.data) for e in loaded.events] == [("out", b"\x01\x02")]
    assert loaded.header["personal_data"].startswith("personal data:")


def test_a_device_without_a_wire_seam_is_unsupported_and_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "camera-scanner.jsonl"
    done = kiosk("device", "record", "barcode", "--url", "sim:barcode", "--out", str(out), "--timeout", "1")  # the camera reader
    assert done.returncode == 10, done.stderr
    assert "no wire seam" in done.stderr
    assert not out.exists()
