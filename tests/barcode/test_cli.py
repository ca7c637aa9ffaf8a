"""``kiosk device barcode read`` as a subprocess: a code, a timeout, a missing port — one line each."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from sim.config import DEMO_CONFIG
from sim.devices.barcode.emulator import ScannerEmulator


def kiosk(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(DEMO_CONFIG), *args], capture_output=True, text=True, timeout=timeout)


def test_reads_the_sim_code_as_json() -> None:
    out = kiosk("device", "barcode", "read", "--source", "sim:barcode?code=YKM1.cli-token-42", "--json", "--timeout", "5")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"text": "YKM1.cli-token-42", "symbology": "QRCode", "source": "camera", "length": 17}


def test_reads_a_serial_scanner_on_a_pty() -> None:
    scanner = ScannerEmulator()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli.main", "device", "barcode", "read", "--source", f"serial://{scanner.port}", "--timeout", "10"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:  # the CLI discards codes sent before it listens
            scanner.scan("YKM1.from-the-scanner")
            time.sleep(0.3)
        out, err = proc.communicate(timeout=10)
    finally:
        scanner.close()
    assert proc.returncode == 0, err
    assert out.strip() == "YKM1.from-the-scanner"


def test_timeout_with_the_default_config_source_is_one_line() -> None:
    out = kiosk("device", "barcode", "read", "--timeout", "0.5")
    assert out.returncode == 5  # timeout (docs/device-cli.md)
    assert out.stderr.strip().count("\n") == 0 and "timeout" in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_port_is_one_line() -> None:
    out = kiosk("device", "barcode", "read", "--source", "serial:///dev/kiosk-qr-missing", "--timeout", "1")
    assert out.returncode == 4
    assert out.stderr.strip().count("\n") == 0 and "kiosk-qr-missing" in out.stderr


def test_reads_a_keyboard_wedge_scanner_from_its_event_device() -> None:
    from sim.devices.barcode.wedge import WedgeEmulator

    wedge = WedgeEmulator()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli.main", "--config", str(DEMO_CONFIG), "device", "barcode", "read",
             "--source", f"evdev://{wedge.by_id}?match=barcode", "--json", "--timeout", "10"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:  # the CLI discards keys typed before it listens
            wedge.scan("YKM1.Typed-By-The-Wedge")
            time.sleep(0.3)
        out, err = proc.communicate(timeout=10)
    finally:
        wedge.close()
    assert proc.returncode == 0, err
    assert json.loads(out) == {"text": "YKM1.Typed-By-The-Wedge", "symbology": "QRCode", "source": "evdev", "length": 23}


def test_a_garbled_scan_is_one_line_with_the_invalid_data_exit_code() -> None:
    scanner = ScannerEmulator()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli.main", "--config", str(DEMO_CONFIG), "device", "barcode", "read",
             "--source", f"serial://{scanner.port}", "--timeout", "10"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            scanner.send_raw("渝快办以外的二维码\r\n".encode())
            time.sleep(0.3)
        out, err = proc.communicate(timeout=10)
    finally:
        scanner.close()
    assert proc.returncode == 6, err  # invalid data (docs/device-cli.md)
    assert err.strip().count("\n") == 0 and "UTF-8 text" in err and "二维码" not in err
