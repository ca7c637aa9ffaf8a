"""The audit head leaves the box with every heartbeat; the platform emulator keeps it (never backwards) and
acknowledges it; the terminal keeps the acknowledgement as the anchor ``kiosk audit verify`` checks against."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.fleet.agent import FleetAgent
from kiosk.fleet.commands import FLEET, CommandLog
from kiosk.fleet.configs import ConfigBundles
from kiosk.store import AuditTrail, Store
from kiosk.store.audit_keys import Anchor
from kiosk.terminal.platform import PlatformClient
from sim.platform.audit_heads import audit_head
from sim.platform.server import EmbeddedPlatform
from tests.fleet.conftest import ITEMS

TID = "CQ-500112-AH01"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(tmp_path / "platform.db", bundles_dir=tmp_path / "bundles") as p:
        yield p


@pytest.fixture
async def agent(tmp_path: Path, platform: EmbeddedPlatform) -> AsyncIterator[FleetAgent]:
    data = tmp_path / "data"
    store = Store(data / "kiosk.db", [FLEET])
    trust: dict[str, Any] = {"trust": platform.trust()} if hasattr(platform, "trust") else {}  # signed answers, once pinned
    client = PlatformClient(platform.url, TID, Ed25519PrivateKey.generate(), enrollment_code="DEMO-ENROLL", district_code="500112",
                            retries=0, **trust)
    agent = FleetAgent(client, ConfigBundles(tmp_path / "config", ITEMS, ""), audit=AuditTrail(store), commands=CommandLog(store))
    yield agent
    await client.aclose()


async def test_the_platform_keeps_the_head_and_verify_catches_a_tail_cut_after_it(agent: FleetAgent, platform: EmbeddedPlatform,
                                                                                tmp_path: Path) -> None:
    audit: AuditTrail = agent.executor.audit
    for i in range(5):
        audit.append("terminal", "session.wiped", session=f"s{i}", files=i)
    assert await agent.beat()
    held = audit_head(platform.state.db.conn, TID)
    head = audit.head()
    assert held is not None and (held["seq"], held["mac"], held["suite"]) == (head.seq, head.mac, "SM2-SM3")
    assert audit.keys.acked() == Anchor(head.seq, head.mac, audit.keys.acked().at)  # type: ignore[union-attr]
    assert audit.verify().ok

    # the tail after the acknowledged head is cut, audit_head fixed, the local anchor deleted
    db = tmp_path / "data" / "kiosk.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DELETE FROM audit WHERE seq >= 4")
    conn.execute("UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit WHERE seq = 3)")
    conn.close()
    audit.keys.head_file.unlink()
    result = audit.verify()
    assert not result.ok and "platform-acknowledged head" in result.problem

    # the platform does not take the shorter head: it keeps answering with the one it holds
    assert await agent.beat()
    again = audit_head(platform.state.db.conn, TID)
    assert again is not None and again["regressions"] >= 1 and again["seq"] == held["seq"]
    assert not audit.verify(Anchor(again["seq"], again["mac"])).ok
