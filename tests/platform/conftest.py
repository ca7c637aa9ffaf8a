"""Fixtures: the emulator over real HTTP on loopback, a registered client, a verified person."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform

TERMINAL_ID = "CQ-500112-T001"
ZHANGSAN = {"name": "张三", "id_number": "500112198703152613"}
FACE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[EmbeddedPlatform]:
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    with EmbeddedPlatform(tmp_path / "platform.db", bundles_dir=bundles) as emulator:
        yield emulator


@pytest.fixture
def terminal_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
async def client(platform: EmbeddedPlatform, terminal_key: Ed25519PrivateKey) -> AsyncIterator[PlatformClient]:
    c = PlatformClient(platform.url, TERMINAL_ID, terminal_key, enrollment_code="DEMO-ENROLL", district_code="500112", hall="渝北区政务服务中心", timeout_s=5,
                       retries=2, backoff_base_s=0.01, backoff_max_s=0.05)
    await c.register()
    yield c
    await c.aclose()


@pytest.fixture
async def person_token(client: PlatformClient) -> str:
    return (await client.verify_id_card(ZHANGSAN, FACE)).person_token


def application(person_token: str, item_code: str = "CQ-RS-0004", mode: str = "online", **extra: object) -> dict[str, object]:
    body: dict[str, object] = {"item_code": item_code, "person_token": person_token, "mode": mode, "receiving_district": "500112",
                               "form": {"reason": "合同到期"}, "materials": [], "terminal_receipt": "CQ-500112-T001-20261126-000001", "submitted_at": 1795700000}
    body.update(extra)
    return body
