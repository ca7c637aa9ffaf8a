"""Acceptance: 200 emulated terminals heartbeat against the platform emulator, take a canary then a full
rollout, acknowledge per terminal, execute a remote command each, and all refuse a tampered bundle."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.admin.bundles import publish, rollout
from kiosk.fleet.agent import FleetAgent
from kiosk.fleet.configs import ConfigBundles
from kiosk.platform.rollout import bucket
from kiosk.store import AuditTrail, Store
from kiosk.terminal.platform import PlatformClient
from sim.platform.fleet import rollout_report
from sim.platform.server import EmbeddedPlatform
from sim.platform.terminals import queue_command
from tests.fleet.conftest import ITEMS, member_names, tamper

FLEET = 200
CANARY = 10.0


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(tmp_path / "platform.db", bundles_dir=tmp_path / "bundles") as p:
        yield p


class Terminal:
    def __init__(self, index: int, root: Path, url: str, http: httpx.AsyncClient, public_key: str) -> None:
        self.id = f"CQ-500112-F{index:04d}"
        self.audit = AuditTrail(Store(root / self.id / "store.db"))
        self.configs = ConfigBundles(root / self.id / "config", ITEMS, public_key, audit=self.audit)
        self.client = PlatformClient(url, self.id, Ed25519PrivateKey.generate(), enrollment_code="DEMO-ENROLL", district_code="500112", http=http, retries=0)
        self.agent = FleetAgent(self.client, self.configs, audit=self.audit)


async def beat_all(terminals: list[Terminal]) -> list[bool]:
    """One heartbeat each; a beat that fails (a busy machine, a slow emulator) is tried again, as a
    terminal would at its next period — every terminal must get through within a few tries."""
    gate = asyncio.Semaphore(32)

    async def one(t: Terminal) -> bool:
        for attempt in range(4):
            async with gate:
                if await t.agent.beat():
                    return True
            await asyncio.sleep(0.2 * (attempt + 1))
        return False

    return list(await asyncio.gather(*(one(t) for t in terminals)))


async def test_200_terminals_canary_then_full_rollout_then_tampered(platform: EmbeddedPlatform, tmp_path: Path, signed,  # type: ignore[no-untyped-def]
                                                                   public_key: str) -> None:
    bundles_dir = tmp_path / "bundles"
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=32)) as http:
        fleet = [Terminal(i, tmp_path / "fleet", platform.url, http, public_key) for i in range(FLEET)]
        assert all(await beat_all(fleet))  # registers on first contact, reports version 0
        db = platform.state.db

        # ---- canary: 10 % of the fleet gets version 1 -------------------------------------------
        publish(signed(1), bundles_dir, public_key)
        rollout(bundles_dir, 1, CANARY)
        canary = {t.id for t in fleet if bucket(t.id, "1") < CANARY}
        assert 5 < len(canary) < 40
        assert all(await beat_all(fleet))
        assert {t.id for t in fleet if t.configs.state.staged == 1} == canary
        # half the canary terminals have a citizen in a session: they must not switch yet
        busy = set(sorted(canary)[: len(canary) // 2])
        outcomes = {t.id: t.agent.apply_staged_if_idle(session_active=t.id in busy) for t in fleet}
        assert {i for i, o in outcomes.items() if o == "deferred"} == busy
        assert {i for i, o in outcomes.items() if o == "applied"} == canary - busy
        outcomes = {t.id: t.agent.apply_staged_if_idle(session_active=False) for t in fleet if t.id in busy}  # session ended
        assert set(outcomes.values()) == {"applied"}
        assert all(await beat_all(fleet))
        report = rollout_report(db, "1")
        assert report["states"] == {"applied": len(canary)} and report["terminals"] == len(canary)
        assert report["running"] == {"1": len(canary), "0": FLEET - len(canary)}

        # ---- full rollout ---------------------------------------------------------------------
        rollout(bundles_dir, 1, 100)
        assert all(await beat_all(fleet))
        for t in fleet:
            t.agent.apply_staged_if_idle(session_active=False)
        assert all(await beat_all(fleet))
        report = rollout_report(db, "1")
        assert report["states"] == {"applied": FLEET} and report["running"] == {"1": FLEET}
        assert all(t.configs.state.active == 1 for t in fleet)

        # ---- one remote command per terminal, acknowledged with its result ---------------------
        ids = {t.id: queue_command(platform.state, t.id, "hall_message", {"text": "今日 17:00 后暂停办理不动产业务"}) for t in fleet}
        assert all(await beat_all(fleet))  # delivered and executed
        assert all(await beat_all(fleet))  # results acknowledged
        rows = db.conn.execute("SELECT COUNT(*), SUM(ok) FROM command_results WHERE command_id IN (%s)" % ",".join("?" * FLEET), list(ids.values())).fetchone()
        assert rows == (FLEET, FLEET)
        assert db.conn.execute("SELECT COUNT(*) FROM commands WHERE acked_at IS NULL").fetchone()[0] == 0
        assert all(t.agent.mode.snapshot.hall_message.startswith("今日") for t in fleet)
        assert all(any(r.action == "command.hall_message" for r in t.audit.records()) for t in fleet)

        # ---- a tampered version 2 on the bundle server: every terminal refuses it --------------
        good = signed(2)
        item = next(n for n in member_names(good) if n.endswith(".json") and n.startswith("items/") and "templates" not in n)
        (bundles_dir / "items-v2.zip").write_bytes(tamper(good, item))  # an attacker on the CDN, not `kiosk admin publish`
        from kiosk.platform.rollout import write_pointer

        write_pointer(bundles_dir, {"version": "2", "bundle": "items-v2.zip"})
        assert all(await beat_all(fleet))
        assert all(await beat_all(fleet))  # the second round acknowledges the rejection; the ETag spares a second download
        for t in fleet:
            assert t.agent.apply_staged_if_idle(False) == "none"
        report = rollout_report(db, "2")
        assert report["states"] == {"rejected": FLEET} and report["running"] == {"1": FLEET}
        assert all(t.configs.state.active == 1 and t.configs.state.staged is None for t in fleet)
        for t in fleet:
            rejected = [r for r in t.audit.records() if r.action == "config.rejected"]
            assert len(rejected) == 1 and rejected[0].detail["reason"] == "tampered"
        for t in fleet:
            await t.client.aclose()

