"""`kiosk run --headless`: the terminal as systemd runs it — READY, watchdog pings, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sim.config import write_demo_config


def test_headless_run_notifies_systemd_pings_and_stops_cleanly(tmp_path: Path) -> None:
    notify_path = str(tmp_path / "notify.sock")
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sink.bind(notify_path)
    sink.settimeout(0.5)
    env = {**os.environ, "NOTIFY_SOCKET": notify_path, "WATCHDOG_USEC": "2000000"}
    config = write_demo_config(tmp_path / "terminal.toml", tmp_path / "data")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "run", "--headless"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    messages: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (any("READY=1" in m for m in messages) and sum("WATCHDOG=1" in m for m in messages) >= 2):
            try:
                messages.append(sink.recv(4096).decode())
            except socket.timeout:
                assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert any("READY=1" in m for m in messages), messages
        assert sum("WATCHDOG=1" in m for m in messages) >= 2, messages
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err[-3000:]
        assert any("STOPPING=1" in m for m in _drain(sink, messages)), messages
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        sink.close()
    sessions = tmp_path / "data" / "sessions"
    assert not sessions.exists() or not any(sessions.iterdir())  # nothing personal left behind


def _drain(sink: socket.socket, messages: list[str]) -> list[str]:
    while True:
        try:
            messages.append(sink.recv(4096).decode())
        except (socket.timeout, BlockingIOError):
            return messages
