"""The fleet channel under attack: the real emulator on loopback, terminals with SM2 keys pinning its keys."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.fleet.agent import FleetAgent
from kiosk.fleet.commands import FLEET, CommandLog
from kiosk.fleet.configs import ConfigBundles
from kiosk.security.suite import SM2_SM3, generate
from kiosk.store import AuditTrail, Store
from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform

ITEMS = Path(__file__).resolve().parents[2] / "kiosk" / "content" / "items"
TID = "CQ-500112-AT01"
ZHANGSAN = {"name": "张三", "id_number": "500112198703152613"}
FACE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(tmp_path / "platform.db", bundles_dir=tmp_path / "bundles") as p:
        yield p


def make_client(platform: EmbeddedPlatform, terminal_id: str = TID, **kw: Any) -> PlatformClient:
    kw.setdefault("trust", platform.trust())
    return PlatformClient(platform.url, terminal_id, kw.pop("key", None) or generate(SM2_SM3), enrollment_code=kw.pop("code", "DEMO-ENROLL"),
                          district_code="500112", retries=0, **kw)


@pytest.fixture
async def client(platform: EmbeddedPlatform) -> AsyncIterator[PlatformClient]:
    c = make_client(platform)
    await c.register()
    yield c
    await c.aclose()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "store.db")
    FLEET.apply(s.db())
    return s


@pytest.fixture
def agent(client: PlatformClient, store: Store, tmp_path: Path) -> FleetAgent:
    return FleetAgent(client, ConfigBundles(tmp_path / "config", ITEMS, ""), audit=AuditTrail(store), commands=CommandLog(store))
