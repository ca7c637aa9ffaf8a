"""Acceptance: ``kiosk device idcard read --json`` as a subprocess against the emulator on a pty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.config import DEMO_CONFIG
from sim.devices.idcard.emulator import SamEmulator

EXPECTED = {
    "zhangsan": {
        "card_type": "resident", "name": "张三", "sex": "男", "sex_code": "1", "nation": "汉", "nation_code": "01",
        "birth_date": "1987-03-15", "address": "重庆市渝北区龙溪街道金龙路88号3栋2单元501", "id_number": "500112198703152613",
        "issuer": "重庆市公安局渝北区分局", "valid_from": "2016-05-20", "valid_to": "2036-05-20",
    },
    "lixiuying": {
        "card_type": "resident", "name": "李秀英", "sex": "女", "sex_code": "2", "nation": "土家", "nation_code": "15",
        "birth_date": "1945-06-08", "address": "重庆市石柱土家族自治县南宾街道万安街12号", "id_number": "500240194506083025",
        "issuer": "石柱土家族自治县公安局", "valid_from": "2010-03-01", "valid_to": "长期",
    },
    "chenjiaming": {
        "card_type": "hmt_permit", "name": "陈家明", "sex": "男", "sex_code": "1", "nation": "", "nation_code": "",
        "birth_date": "1990-01-01", "address": "重庆市渝中区解放碑街道民族路166号", "id_number": "810000199001010019",
        "issuer": "重庆市公安局渝中区分局", "valid_from": "2023-09-01", "valid_to": "2028-09-01",
        "pass_number": "H60123456", "issue_count": "01",
    },
}


def kiosk(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(DEMO_CONFIG), *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.parametrize("card_id", EXPECTED)
def test_read_json_every_field(emulator: SamEmulator, card_id: str) -> None:
    emulator.insert(card_id)
    done = kiosk("device", "idcard", "read", "--port", emulator.path, "--json", "--timeout", "5")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {k: out[k] for k in EXPECTED[card_id]} == EXPECTED[card_id]
    if card_id != "chenjiaming":
        assert "pass_number" not in out
    assert out["photo"] == "raw_wlt"
    assert done.stderr == ""


def test_human_output_is_unmasked_and_says_photo_unavailable(emulator: SamEmulator) -> None:
    emulator.insert("zhangsan")
    done = kiosk("device", "idcard", "read", "--port", emulator.path)
    assert done.returncode == 0, done.stderr
    assert "姓名: 张三" in done.stdout and "500112198703152613" in done.stdout
    assert "照片: unavailable" in done.stdout


@pytest.mark.parametrize("fault,card,cause,code", [
    (None, None, "no card", 3),
    ("bad_checksum", "zhangsan", "checksum error", 8),
    ("garbage", "zhangsan", "garbage on the line", 8),
    ("silence", "zhangsan", "timeout", 5),
])
def test_failures_are_one_line_within_the_timeout(emulator: SamEmulator, fault: str | None, card: str | None, cause: str, code: int) -> None:
    if card:
        emulator.insert(card)
    emulator.set_fault(fault, only={0x30})  # open, find and select work; the card data read fails
    done = kiosk("device", "idcard", "read", "--port", emulator.path, "--json", "--timeout", "2")
    # from the CLI's first frame to its exit: interpreter start-up is not part of the budget
    elapsed = time.monotonic() - emulator.received_at[0]
    assert done.returncode == code
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("idcard read failed: ") and f": {cause}: " in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < 2.0 + 1.0  # the budget, plus closing and interpreter exit on a loaded CI box


def test_no_device(tmp_path: Path) -> None:
    done = kiosk("device", "idcard", "read", "--port", str(tmp_path / "ttyNONE"), "--json", "--timeout", "2")
    assert done.returncode == 4  # device_not_ready (docs/device-cli.md)
    assert done.stderr.count("\n") == 1 and ": no device: " in done.stderr


def test_invalid_check_digit(emulator: SamEmulator) -> None:
    emulator.insert("badcheck")
    done = kiosk("device", "idcard", "read", "--port", emulator.path, "--json")
    assert done.returncode == 6 and "check digit" in done.stderr and done.stderr.count("\n") == 1


def test_emulate_command_serves_a_read(tmp_path: Path) -> None:
    link = tmp_path / "ttyEMU"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli.main", "emulate", "idcard", "--card", "lixiuying", "--link", str(link)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline().strip() == str(link)
        done = kiosk("device", "idcard", "read", "--port", str(link), "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["valid_to"] == "长期"
        proc.stdin.write("fault silence\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "ok"
        done = kiosk("device", "idcard", "read", "--port", str(link), "--timeout", "1")
        assert done.returncode == 5
    finally:
        proc.terminate()
        proc.wait(5)
    assert not link.exists()  # the emulator removed its symlink on SIGTERM


def test_fault_during_open_is_also_one_line(emulator: SamEmulator) -> None:
    emulator.set_fault("bad_checksum")
    done = kiosk("device", "idcard", "read", "--port", emulator.path, "--timeout", "2")
    assert done.returncode == 8 and done.stderr.startswith("idcard open failed: checksum error: ")
    assert done.stderr.count("\n") == 1
