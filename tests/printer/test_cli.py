"""``kiosk device printer status|test``: what a technician types, against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.cli.main import main
from sim.devices.printer.emulator import PrinterEmulator


def _status(port: int, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["device", "printer", "status", "--target", f"tcp://127.0.0.1:{port}", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_status_reports_out_for_paper_end(emulator: PrinterEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    emulator.set_paper("out")
    assert _status(emulator.port, capsys) == {"online": False, "paper": "out", "cover_open": False, "cutter_error": False}
    emulator.set_paper("near_end")
    assert _status(emulator.port, capsys)["paper"] == "near_end"
    emulator.set_paper("ok")
    assert _status(emulator.port, capsys) == {"online": True, "paper": "ok", "cover_open": False, "cutter_error": False}


def test_a_silent_printer_is_a_timeout_not_a_status(emulator: PrinterEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    emulator.set_silent(True)
    assert main(["device", "printer", "status", "--target", f"tcp://127.0.0.1:{emulator.port}", "--json"]) == 5
    assert "no answer to DLE EOT" in capsys.readouterr().err
    blind = f"tcp://127.0.0.1:{emulator.port}?require_status=false"  # a head declared to have no return channel
    assert main(["device", "printer", "status", "--target", blind, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"online": None, "paper": "unknown", "cover_open": None, "cutter_error": None}


def test_test_page_prints_and_writes_png(emulator: PrinterEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "test.png"
    assert main(["device", "printer", "test", "--target", f"tcp://127.0.0.1:{emulator.port}?paper=58", "--png", str(png)]) == 0
    assert len(emulator.wait_for_jobs(1)) == 1
    img = Image.open(png)
    assert img.width == 384 + 32
    assert [r.text for r in zxingcpp.read_barcodes(img)] == ["https://zwykb.cq.gov.cn/test"]


def test_errors_are_one_line_not_a_traceback(emulator: PrinterEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    emulator.set_paper("out")
    assert main(["device", "printer", "test", "--target", f"tcp://127.0.0.1:{emulator.port}"]) == 7
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "paper out" in err
    assert main(["device", "printer", "status", "--target", "tcp://127.0.0.1:1", "--json"]) != 0
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert main(["device", "printer", "status", "--target", "usb:?vid=zz&pid=1"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "zz" in err


def test_console_script_status_in_a_subprocess(emulator: PrinterEmulator) -> None:
    emulator.set_paper("out")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-m", "kiosk.cli.main", "device", "printer", "status", "--target",
                          f"tcp://127.0.0.1:{emulator.port}", "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["paper"] == "out"


def test_render_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from drivers.printer.encoder import PROFILE_58, Encoder
    from kiosk.terminal.receipt import ReceiptDocument

    src = tmp_path / "job.bin"
    src.write_bytes(Encoder(PROFILE_58).encode(ReceiptDocument().text("渲染").cut()) + b"\x1b\x7e")
    out = tmp_path / "job.png"
    assert main(["device", "printer", "render", str(src), str(out), "--paper", "58"]) == 0
    assert Image.open(out).width == 384 + 32
    assert "unknown bytes 1b 7e" in capsys.readouterr().err
