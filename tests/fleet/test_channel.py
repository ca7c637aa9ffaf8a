"""A channel that cannot wedge: an unparsable command is refused and dropped, results the platform never takes
expire, alerts ride on the heartbeat, and a staged bundle applies on an idle terminal within one heartbeat.
All against the platform emulator over real HTTP (it validates every heartbeat against the contract)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.admin.bundles import publish, rollout
from kiosk.fleet.agent import FleetAgent
from kiosk.fleet.commands import FLEET, CommandLog, CommandResult
from kiosk.fleet.configs import ConfigBundles
from kiosk.fleet.handlers import FleetHooks
from kiosk.fleet.mode import DISK_CLOSED, OUTBOX_CLOSED
from kiosk.store import AuditTrail, Store
from kiosk.terminal.outbox import Outbox
from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform
from sim.platform.terminals import queue_command
from tests.fleet.conftest import ITEMS

TID = "CQ-500112-CH01"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(tmp_path / "platform.db", bundles_dir=tmp_path / "bundles") as p:
        yield p


@pytest.fixture
async def client(platform: EmbeddedPlatform) -> AsyncIterator[PlatformClient]:
    c = PlatformClient(platform.url, TID, Ed25519PrivateKey.generate(), enrollment_code="DEMO-ENROLL", district_code="500112", retries=0)
    yield c
    await c.aclose()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kiosk.db", [FLEET])


def _agent(tmp_path: Path, client: PlatformClient, store: Store, public_key: str = "", **kw: object) -> FleetAgent:
    return FleetAgent(client, ConfigBundles(tmp_path / "config", ITEMS, public_key), audit=AuditTrail(store), commands=CommandLog(store),
                      outbox=Outbox(tmp_path / "outbox.db", tmp_path / "outbox.key", TID), **kw)  # type: ignore[arg-type]


def last_heartbeat(platform: EmbeddedPlatform) -> dict:  # type: ignore[type-arg]
    row = platform.state.db.conn.execute("SELECT last_heartbeat FROM terminals WHERE terminal_id = ?", (TID,)).fetchone()
    return json.loads(row[0])


async def test_a_command_id_outside_the_contract_is_refused_and_the_channel_keeps_flowing(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, store: Store) -> None:
    agent = _agent(tmp_path, client, store)
    assert await agent.beat()  # registered
    db = platform.state.db.conn
    db.execute("INSERT INTO commands (command_id, terminal_id, type, args, issued_at) VALUES (?, ?, 'hall_message', ?, ?)",
               ("bad id!", TID, json.dumps({"text": "不该显示"}), int(time.time())))
    good = queue_command(platform.state, TID, "hall_message", {"text": "今日 17:00 闭厅"})
    assert await agent.beat()  # the good one runs, the bad one is refused, never run
    assert agent.mode.snapshot.hall_message == "今日 17:00 闭厅"
    for _ in range(3):
        assert await agent.beat()  # no 422: every later heartbeat goes through
    body = last_heartbeat(platform)
    assert "refused_commands" not in body  # refused once, then dropped
    results = dict(db.execute("SELECT command_id, result FROM command_results").fetchall())
    assert results[good] and "refused by the terminal" in results["bad id!"] and "pattern" in results["bad id!"]
    assert db.execute("SELECT acked_at FROM commands WHERE command_id = 'bad id!'").fetchone()[0] is not None  # off the queue
    later = queue_command(platform.state, TID, "hall_message", {"text": "明日照常"})
    assert await agent.beat() and agent.mode.snapshot.hall_message == "明日照常" and later
    assert [r.action for r in agent.executor.audit.records()].count("command.refused") == 1  # type: ignore[union-attr]


async def test_a_result_the_platform_never_takes_expires_instead_of_wedging_the_heartbeat(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, store: Store) -> None:
    agent = _agent(tmp_path, client, store)
    agent.commands.record("legacy id!", "hall_message", {}, CommandResult.done("ok"))  # run by an older terminal, unacknowledgeable
    assert await agent.beat()  # 422 with it, sent again without it, then it expires
    assert agent.commands.unreported() == []
    assert await agent.beat() and "acked_commands" not in last_heartbeat(platform)


def test_unacknowledged_results_are_bounded_by_count_and_age(store: Store) -> None:
    log = CommandLog(store)
    for i in range(300):
        log.record(f"cmd_bulk{i:04d}", "hall_message", {}, CommandResult.done("ok"))
    store.db().execute("UPDATE fleet_commands SET executed_at = executed_at - 30 * 86400 WHERE command_id < 'cmd_bulk0010'")
    assert log.expire(max_age_s=7 * 86400, keep=256) == 44  # 10 too old + 34 beyond the newest 256
    assert len(log.unreported(limit=1000)) == 256 and "cmd_bulk0000" not in {r["command_id"] for r in log.unreported(limit=1000)}


async def test_dead_letters_and_an_unavailable_key_are_alerts_in_the_heartbeat(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, store: Store) -> None:
    agent = _agent(tmp_path, client, store)
    assert agent.outbox is not None
    entry = agent.outbox.enqueue({"item_code": "CQ-RS-0004", "form": {}})
    agent.outbox.mark_rejected(entry.id, "DISTRICT_UNKNOWN", "行政区划代码不属于重庆市区县", "receiving_district")
    assert await agent.beat()  # accepted by the contract
    body = last_heartbeat(platform)
    assert body["outbox"]["rejected"] == 1 and body["alerts"][0]["code"] == "outbox_dead_letter" and body["alerts"][0]["count"] == 1
    agent.outbox.close()
    (tmp_path / "outbox.key").unlink()
    agent.outbox = Outbox(tmp_path / "outbox.db", tmp_path / "outbox.key", TID)
    assert await agent.beat()
    body = last_heartbeat(platform)
    assert body["outbox"]["unavailable"] is True
    assert {a["code"]: a["severity"] for a in body["alerts"]} == {"outbox_key_unavailable": "critical", "outbox_dead_letter": "error"}


async def test_a_staged_bundle_applies_on_an_idle_terminal_within_one_heartbeat(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, store: Store, signed, public_key: str) -> None:  # type: ignore[no-untyped-def]
    serving = [True]
    reloads: list[str] = []
    hooks = FleetHooks(session_active=lambda: serving[0], reload_config=lambda: reloads.append("reloaded") or "reloaded")
    agent = _agent(tmp_path, client, store, public_key, hooks=hooks)
    publish(signed(3), tmp_path / "bundles", public_key)
    rollout(tmp_path / "bundles", 3, 100)
    assert await agent.beat()
    assert agent.configs.state.staged == 3 and agent.configs.state.active == 0  # a citizen is being served: waits
    serving[0] = False
    assert await agent.beat()  # idle: applied in this heartbeat, no session end needed
    assert agent.configs.state.active == 3 and agent.configs.state.staged is None and reloads == ["reloaded"]
    publish(signed(4), tmp_path / "bundles", public_key)
    rollout(tmp_path / "bundles", 4, 100)
    assert await agent.beat() and agent.configs.state.active == 4  # staged and applied by the same heartbeat


async def test_the_terminal_closes_while_the_outbox_key_is_missing_and_reopens_when_restored(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, store: Store) -> None:
    agent = _agent(tmp_path, client, store)
    assert agent.outbox is not None
    agent.outbox.enqueue({"item_code": "CQ-RS-0004", "form": {}})
    agent.outbox.close()
    key = tmp_path / "outbox.key"
    backup = key.read_bytes()
    key.unlink()
    agent.outbox = Outbox(tmp_path / "outbox.db", key, TID)
    agent.mode.set_mode("in_service", "")  # e.g. a remote in_service command
    assert await agent.beat()
    assert (agent.mode.snapshot.mode, agent.mode.snapshot.reason) == ("out_of_service", OUTBOX_CLOSED)
    assert last_heartbeat(platform)["terminal_state"] == "out_of_service"
    key.write_bytes(backup)
    assert await agent.beat()
    assert agent.mode.snapshot.mode == "in_service" and agent.outbox.unavailable == ""
    agent.mode.set_mode("out_of_service", "网络割接")  # a remote closure is not the outbox's to lift
    assert await agent.beat() and agent.mode.snapshot.reason == "网络割接"


async def test_the_terminal_closes_to_new_citizens_before_the_disk_is_too_full_for_a_session(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, store: Store) -> None:
    import subprocess

    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(small)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        agent = _agent(tmp_path, client, store, data_dir=small, disk_reserve_mb=2)
        agent.mode.set_mode("in_service", "")
        assert await agent.beat() and agent.mode.snapshot.mode == "in_service"  # 4 MB free
        (small / "scans").write_bytes(b"\0" * (3 * 2**20))  # what earlier sessions left behind
        assert await agent.beat()
        assert (agent.mode.snapshot.mode, agent.mode.snapshot.reason) == ("out_of_service", DISK_CLOSED)
        body = last_heartbeat(platform)
        assert body["terminal_state"] == "out_of_service" and "disk_reserve" in [a["code"] for a in body["alerts"]]
        (small / "scans").unlink()
        assert await agent.beat() and agent.mode.snapshot.mode == "in_service"
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
