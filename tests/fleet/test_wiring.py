"""The app's one entry point: build_fleet over the default (emulated) config, heartbeat, maintenance, boundary hook."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from kiosk.fleet.backoff import Backoff
from kiosk.fleet.wiring import build_fleet
from kiosk.maint import totp
from kiosk.settings import parse_config
from kiosk.terminal.facade import Terminal
from kiosk.terminal.platform.link import open_link

CONFIG = """
[terminal]
id = "CQ-500112-WIRE"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
data_dir = "{data}"
[platform]
url = "embedded:"
heartbeat_s = 0.2
[logging]
file = "-"
[maintenance]
totp_secret = "{secret}"
[devices.speaker]
url = "sim:speaker"
"""


async def test_build_fleet_end_to_end(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sink.bind(str(tmp_path / "notify"))
    sink.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    secret = totp.new_secret()
    config = parse_config(CONFIG.format(data=tmp_path / "data", secret=secret))
    terminal = Terminal(config)
    await terminal.start()
    link = open_link(config, terminal.bus)
    fleet = build_fleet(config, terminal, link=link)
    assert fleet.agent is not None
    fleet.agent.policy = Backoff(period_s=0.2, base_s=0.05, cap_s=0.5)
    await fleet.start()
    try:
        assert sink.recv(200).startswith(b"READY=1")
        for _ in range(100):
            if fleet.agent.beats >= 2:
                break
            await asyncio.sleep(0.05)
        assert fleet.agent.beats >= 2  # the heartbeat task runs against the embedded emulator
        assert fleet.mode.snapshot.mode == "in_service"
        assert fleet.at_session_boundary(session_active=True) == "none"
        session = fleet.maintenance()
        assert session.enter_with_totp(totp.totp(secret)).ok
        terminal.services["platform"] = link.client
        report = await session.selftest(["voice", "platform_round_trip"])
        assert report["passed"], report
        assert fleet.agent.selftest is not None  # goes up with the next heartbeat
        session.leave()
        assert [r.action for r in fleet.audit.records()][:3] == ["maint.enter", "maint.selftest", "maint.leave"]
    finally:
        await fleet.stop()
        await terminal.stop()
        await link.aclose()
        sink.close()
