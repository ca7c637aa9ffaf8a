"""Heartbeat contents against the emulator, remote commands with results and audit, the reconnect spread."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import datetime
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.fleet.agent import FleetAgent
from kiosk.fleet.backoff import Backoff, simulate_reconnect
from kiosk.fleet.commands import FLEET, CommandLog
from kiosk.fleet.configs import ConfigBundles
from kiosk.fleet.handlers import FleetHooks
from kiosk.fleet.mode import RestartWindow, TerminalModeChanged
from kiosk.maint.auth import MAINT
from kiosk.maint.counters import DeviceCounters
from kiosk.receipts.testpage import build_test_page
from kiosk.settings import parse_config
from kiosk.store import AuditTrail, Store
from kiosk.terminal.facade import Terminal
from kiosk.terminal.outbox import Outbox
from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform
from sim.platform.terminals import queue_command
from tests.fleet.conftest import ITEMS

CONFIG = """
[terminal]
id = "CQ-500112-HB01"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
[platform]
url = "embedded:"
[devices.printer]
url = "sim:printer"
timeout_s = 5
[devices.speaker]
url = "sim:speaker"
"""


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(tmp_path / "platform.db", bundles_dir=tmp_path / "bundles") as p:
        yield p


@pytest.fixture
async def terminal() -> AsyncIterator[Terminal]:
    t = Terminal(parse_config(CONFIG))
    await t.start()
    yield t
    await t.stop()


@pytest.fixture
async def agent(tmp_path: Path, platform: EmbeddedPlatform, terminal: Terminal) -> AsyncIterator[FleetAgent]:
    store = Store(tmp_path / "kiosk.db", [FLEET, MAINT])
    client = PlatformClient(platform.url, "CQ-500112-HB01", Ed25519PrivateKey.generate(), enrollment_code="DEMO-ENROLL", district_code="500112", retries=0)
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    (log_dir / "kiosk.jsonl").write_text(json.dumps({"msg": "citizen 500112198703152613 13812345678"}) + "\n", encoding="utf-8")
    restarts: list[float] = []
    agent = FleetAgent(client, ConfigBundles(tmp_path / "config", ITEMS, ""), terminal=terminal, audit=AuditTrail(store),
                       outbox=Outbox(tmp_path / "outbox.db", b"k" * 32, "CQ-500112-HB01"), counters=DeviceCounters(terminal.bus, store),
                       commands=CommandLog(store), hooks=FleetHooks(restart=lambda: restarts.append(1.0)), data_dir=tmp_path, log_dir=log_dir)
    agent.restarts = restarts  # type: ignore[attr-defined]
    yield agent
    await client.aclose()


def last_heartbeat(platform: EmbeddedPlatform) -> dict:  # type: ignore[type-arg]
    row = platform.state.db.conn.execute("SELECT last_heartbeat FROM terminals WHERE terminal_id = 'CQ-500112-HB01'").fetchone()
    return json.loads(row[0])


async def test_heartbeat_reports_status_thresholds_versions_outbox_disk(agent: FleetAgent, terminal: Terminal, platform: EmbeddedPlatform) -> None:
    terminal.printer.emulator.set_paper("near_end")  # type: ignore[union-attr]
    assert (await terminal.printer.print_document(build_test_page("T", datetime.now()))).ok  # type: ignore[union-attr]
    agent.mode.set_mode("in_service")
    assert await agent.beat()  # validated by the emulator against the contract
    body = last_heartbeat(platform)
    printer = next(d for d in body["devices"] if d["device"] == "printer")
    assert printer["detail"]["paper"] == "near_end" and printer["action"] == "clear"  # "paper near end → clear"
    assert printer["counters"]["prints"] == 1
    assert {d["device"] for d in body["devices"]} == {"printer", "speaker"}
    assert body["software_version"] and body["config_version"] == "0" and body["config"]["state"] == "applied"
    assert body["outbox"] == {"depth": 0, "oldest_age_s": 0.0, "rejected": 0, "held": 0, "unavailable": False}
    assert body["disk"]["total_mb"] > 0 and body["uptime_s"] >= 0 and body["terminal_state"] == "in_service"


async def test_remote_commands_run_once_are_acknowledged_and_audited(agent: FleetAgent, platform: EmbeddedPlatform) -> None:
    state = platform.state
    tid = "CQ-500112-HB01"
    assert await agent.beat()  # registered
    seen: list[TerminalModeChanged] = []
    agent.mode.bus.subscribe(seen.append, (TerminalModeChanged,))  # type: ignore[union-attr]
    ids = {
        "hall": queue_command(state, tid, "hall_message", {"text": "系统升级，今晚 22:00 暂停服务"}),
        "oos": queue_command(state, tid, "out_of_service", {"reason": "网络割接"}),
        "logs": queue_command(state, tid, "upload_logs", {}),
        "shot": queue_command(state, tid, "screenshot", {}),
        "window": queue_command(state, tid, "set_restart_window", {"start": "02:30", "end": "03:30"}),
        "bad_window": queue_command(state, tid, "set_restart_window", {"start": "25:00", "end": "03:30"}),
        "reload": queue_command(state, tid, "reload_config", {}),
    }
    assert await agent.beat()  # delivered and executed
    assert agent.mode.snapshot.mode == "out_of_service" and agent.mode.snapshot.hall_message.startswith("系统升级")
    assert agent.mode.snapshot.restart_window == RestartWindow("02:30", "03:30")
    assert [e.new.mode for e in seen if e.new.mode != e.old.mode] == ["out_of_service"]
    assert await agent.beat()  # acknowledged
    results = {r[0]: (r[1], r[2]) for r in state.db.conn.execute("SELECT command_id, ok, result FROM command_results")}
    ok = {name: results[cid][0] for name, cid in ids.items()}
    assert ok == {"hall": 1, "oos": 1, "logs": 1, "shot": 0, "window": 1, "bad_window": 0, "reload": 1}
    assert "no display" in results[ids["shot"]][1]
    upload = state.db.conn.execute("SELECT content FROM log_uploads WHERE terminal_id = ?", (tid,)).fetchone()[0]
    with tarfile.open(fileobj=io.BytesIO(upload)) as archive:
        text = archive.extractfile("logs/kiosk.jsonl").read().decode()  # type: ignore[union-attr]
    assert "500112198703152613" not in text and "5001**********2613" in text
    assert f"sha256={__import__('hashlib').sha256(upload).hexdigest()}" in results[ids["logs"]][1]
    audited = [r.action for r in agent.executor.audit.records()]
    assert sorted(audited) == sorted(f"command.{t}" for t in ("hall_message", "out_of_service", "upload_logs", "screenshot",
                                                              "set_restart_window", "set_restart_window", "reload_config"))
    assert state.db.conn.execute("SELECT COUNT(*) FROM commands WHERE acked_at IS NULL").fetchone()[0] == 0


async def test_restart_is_acknowledged_before_it_happens_and_runs_once(agent: FleetAgent, platform: EmbeddedPlatform, tmp_path: Path) -> None:
    assert await agent.beat()
    command_id = queue_command(platform.state, "CQ-500112-HB01", "restart", {})
    assert await agent.beat()  # executed: restart requested, not yet done
    assert agent.restarts == []  # type: ignore[attr-defined]
    assert await agent.beat()  # the acknowledgement went out → now restart
    assert agent.restarts == [1.0]  # type: ignore[attr-defined]
    acked = platform.state.db.conn.execute("SELECT acked_at FROM commands WHERE command_id = ?", (command_id,)).fetchone()[0]
    assert acked is not None
    # after the restart a re-delivered command id is recognised from the store and not run again
    from types import SimpleNamespace

    assert await agent.executor.run([SimpleNamespace(command_id=command_id, type="restart", args={})]) == []


async def test_backoff_while_away_and_back() -> None:
    import random

    policy = Backoff(period_s=30, base_s=2, cap_s=120)
    rng = random.Random(7)
    delays = [policy.next_delay(False, rng) for _ in range(10)]
    assert all(0 <= d <= 120 for d in delays) and max(delays[6:]) > 30  # windows grow to the cap
    assert 24 <= policy.next_delay(True, rng) <= 36 and policy.failures == 0


def test_1000_terminals_reconnect_spread_over_more_than_30_s() -> None:
    stats = simulate_reconnect(terminals=1000, outage_s=600)
    assert stats.terminals == 1000
    assert stats.p95_s - stats.p05_s >= 30 and stats.spread_s >= 30
    assert stats.peak_per_s < 100  # not 1000 at once
