"""The app's one entry point: build_fleet over the default (emulated) config, heartbeat, maintenance, boundary hook."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

from kiosk.assembly import assemble
from kiosk.content import items_dir
from kiosk.fleet.backoff import Backoff
from kiosk.fleet.commands import CommandLog
from kiosk.fleet.handlers import HandlerContext, build_handlers
from kiosk.fleet.wiring import FleetServices, build_fleet, open_config_bundles
from kiosk.maint import totp
from kiosk.settings import parse_config
from kiosk.store import AuditTrail, Store
from kiosk.terminal.facade import Terminal

CONFIG = """
[terminal]
id = "CQ-500112-WIRE"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
data_dir = "{data}"
[platform]
url = "embedded:"
enrollment_code = "DEMO-ENROLL"
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
    assembly = assemble(config)
    terminal, fleet, link = assembly.terminal, assembly.fleet, assembly.services.link
    await terminal.start()
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


async def test_remote_mode_and_hall_message_survive_a_restart(tmp_path: Path) -> None:
    """The platform closed the terminal: the nightly restart must not open it again; a technician's visit is not
    remembered (a crash mid-visit restarts as before it), leaving after a remote enter_maintenance is."""
    config = parse_config(CONFIG.format(data=tmp_path / "data", secret=totp.new_secret()))

    async def boot() -> tuple[Terminal, FleetServices]:
        terminal = Terminal(config)
        await terminal.start()
        store = Store(config.terminal.data_path() / "kiosk.db")
        audit = AuditTrail(store)
        configs = open_config_bundles(config, items_dir(), audit)
        fleet = build_fleet(config, terminal, store=store, audit=audit, configs=configs)  # no link: no heartbeat task, the same store
        await fleet.start()
        return terminal, fleet

    terminal, fleet = await boot()
    assert fleet.mode.snapshot.mode == "in_service"
    handlers = build_handlers(HandlerContext(fleet.mode, CommandLog(fleet.store)))  # what the heartbeat reply runs
    assert (await handlers["out_of_service"]({"reason": "网络割接"})).ok
    assert (await handlers["hall_message"]({"text": "今晚系统升级"})).ok
    await fleet.stop()
    await terminal.stop()

    terminal, fleet = await boot()  # the restart
    assert (fleet.mode.snapshot.mode, fleet.mode.snapshot.reason, fleet.mode.snapshot.hall_message) == ("out_of_service", "网络割接", "今晚系统升级")
    session = fleet.maintenance()
    assert session.enter_with_totp(totp.totp(config.maintenance.totp_secret)).ok and fleet.mode.snapshot.mode == "maintenance"
    await fleet.stop()
    await terminal.stop()

    terminal, fleet = await boot()  # crashed during the visit: closed as before it, not "maintenance"
    assert fleet.mode.snapshot.mode == "out_of_service"
    fleet.mode.set_mode("maintenance", "remote command")  # enter_maintenance; a technician comes and goes
    session = fleet.maintenance()
    assert session.enter_with_totp(totp.totp(config.maintenance.totp_secret, time.time() + 30)).ok  # the next code (no replay)
    session.leave()
    assert fleet.mode.snapshot.mode == "in_service"
    await fleet.stop()
    await terminal.stop()
    terminal, fleet = await boot()
    assert fleet.mode.snapshot.mode == "in_service"
    await fleet.stop()
    await terminal.stop()
