"""``kiosk --config FILE xfs serve`` as a technician runs it: a stopped kiosk's devices, a 0600 token file."""

from __future__ import annotations

import asyncio
import signal
import stat
import subprocess
import sys
from pathlib import Path

from websockets.asyncio.client import connect

from tests.xfs.conftest import CONFIG, Client


async def _status(uri: str, token: str) -> str:
    async with connect(uri, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=5) as ws:
        return str((await Client(ws).call("Common.Status", 1))[-1]["payload"]["common"]["device"])


def test_serve_writes_a_private_token_serves_and_removes_it_on_stop(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "terminal.toml"
    config.write_text(CONFIG.format(data_dir=data_dir), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "xfs", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("XFS4IoT service publisher: ws://127.0.0.1:"), (first, proc.stderr.read() if proc.poll() is not None else "")
        publisher = first.split(": ", 1)[1].strip()
        token_file = data_dir / "xfs.token"
        assert str(token_file) in proc.stdout.readline()
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text(encoding="ascii").strip()
        assert len(token) >= 40
        assert asyncio.run(_status(f"{publisher}/idcard", token)) == "online"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert not (data_dir / "xfs.token").exists()  # the token dies with this start
