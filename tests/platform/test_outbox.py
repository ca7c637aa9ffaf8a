"""The outbox: receipt at once, sealed at rest, delivered through outages, wiped after acknowledgement."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.errors import StoreError
from kiosk.terminal.outbox import DeliveryWorker, Material, Outbox, load_or_create_seal_key
from kiosk.terminal.platform import LinkState, PlatformClient
from sim.platform.server import EmbeddedPlatform

SECRET = "独一无二的申请理由"


def _outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox.db", load_or_create_seal_key(tmp_path / "outbox.key"), "CQ-500112-T001")


def _app(token: str, **extra: object) -> dict[str, object]:
    return {"item_code": "CQ-RS-0004", "person_token": token, "mode": "online", "receiving_district": "500112", "form": {"reason": SECRET}, **extra}


def test_enqueue_gives_a_receipt_and_seals_everything_at_rest(tmp_path: Path) -> None:
    outbox = _outbox(tmp_path)
    scan = b"\xff\xd8" + "户口簿扫描件".encode() * 100
    entry = outbox.enqueue(_app("pt_" + "a" * 20), [Material("hukou", "户口簿", "scan", "image/jpeg", scan)])
    assert entry.receipt.startswith("CQ-500112-T001-") and entry.receipt.endswith("-000001")
    outbox.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.db*"))
    assert SECRET.encode() not in raw and "户口簿扫描件".encode() not in raw and b"pt_aaaa" not in raw
    assert (tmp_path / "outbox.key").stat().st_mode & 0o777 == 0o600
    reopened = _outbox(tmp_path)
    payload, materials = reopened.load(entry.id)
    assert payload["form"]["reason"] == SECRET and payload["terminal_receipt"] == entry.receipt and materials[0].content == scan
    stats = reopened.stats()
    assert stats.depth == 1 and stats.oldest_age_s >= 0


def test_wrong_key_cannot_open_the_outbox(tmp_path: Path) -> None:
    entry = _outbox(tmp_path).enqueue(_app("pt_" + "a" * 20))
    stranger = Outbox(tmp_path / "outbox.db", bytes(32), "CQ-500112-T001")
    with pytest.raises(StoreError):
        stranger.load(entry.id)


async def test_delivery_acknowledges_and_wipes_personal_data(tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, person_token: str) -> None:
    outbox = _outbox(tmp_path)
    scan = b"\xff\xd8" + bytes(10_000)
    entry = outbox.enqueue(_app(person_token), [Material("form", "申请表", "scan", "image/jpeg", scan),
                                                Material("hukou", "户口簿", "license", license_id="LIC-zhangsan-hukou-1")])
    worker = DeliveryWorker(outbox, client)
    assert await worker.run_once() == 1
    row = outbox.get(entry.id)
    assert row is not None and row["state"] == "delivered" and row["case_id"]
    case = await client.get_case(row["case_id"])
    assert case.terminal_receipt == entry.receipt
    assert outbox._conn.execute("SELECT payload FROM outbox WHERE id = ?", (entry.id,)).fetchone()[0] is None
    assert outbox._conn.execute("SELECT COUNT(*) FROM outbox_material").fetchone()[0] == 0
    assert outbox.stats().depth == 0 and outbox.stats().delivered == 1


async def test_outage_keeps_entries_until_the_platform_returns(tmp_path: Path, person_token: str, platform: EmbeddedPlatform, terminal_key: Ed25519PrivateKey) -> None:
    with socket.socket() as probe:  # a port nobody listens on: the platform is "down"
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    outbox = _outbox(tmp_path)
    down = PlatformClient(dead_url, "CQ-500112-T001", terminal_key, enrollment_code="DEMO-ENROLL", district_code="500112", retries=1, backoff_base_s=0.001)
    worker = DeliveryWorker(outbox, down, backoff_base_s=0.01, backoff_max_s=0.02)
    entries = [outbox.enqueue(_app(person_token, form={"n": str(i)})) for i in range(3)]
    assert await worker.run_once() == 0
    assert down.status().state is LinkState.OFFLINE
    assert outbox.stats().depth == 3 and outbox.get(entries[0].id)["attempts"] == 1  # type: ignore[index]
    await down.aclose()
    up = PlatformClient(platform.url, "CQ-500112-T001", terminal_key, enrollment_code="DEMO-ENROLL", district_code="500112")
    worker.client = up
    assert await worker.drain(timeout_s=10)
    cases = {outbox.get(e.id)["case_id"] for e in entries}  # type: ignore[index]
    assert len(cases) == 3
    await up.aclose()


async def test_definite_rejection_is_parked_not_retried(tmp_path: Path, client: PlatformClient, person_token: str) -> None:
    outbox = _outbox(tmp_path)
    entry = outbox.enqueue(_app(person_token, receiving_district="509999"))  # an unknown item waits for a catalog sync instead
    worker = DeliveryWorker(outbox, client)
    await worker.run_once()
    row = outbox.get(entry.id)
    assert row is not None and (row["state"], row["reject_code"], row["reject_field"]) == ("rejected", "DISTRICT_UNKNOWN", "receiving_district")
    assert outbox.stats().rejected == 1 and outbox.stats().depth == 0 and outbox.due(now=float("inf")) == []


async def test_running_worker_delivers_soon_after_a_kick(tmp_path: Path, client: PlatformClient, person_token: str) -> None:
    outbox = _outbox(tmp_path)
    worker = DeliveryWorker(outbox, client, idle_poll_s=60)
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(0.05)
        entry = outbox.enqueue(_app(person_token))
        worker.kick()
        for _ in range(200):
            if outbox.get(entry.id)["state"] == "delivered":  # type: ignore[index]
                break
            await asyncio.sleep(0.01)
        assert outbox.get(entry.id)["state"] == "delivered"  # type: ignore[index]
    finally:
        task.cancel()


async def test_embedded_link_from_the_default_config(tmp_path: Path) -> None:
    from kiosk.assembly import assemble
    from sim.config import demo_config

    config = demo_config(data_dir=tmp_path)
    link = assemble(config).services.link
    try:
        assert config.platform.url == "embedded:" and link.endpoint is not None
        token = (await link.client.verify_code("YKM1-LISI-2M8N4R6T")).person_token
        entry = link.outbox.enqueue({"item_code": "CQ-RS-0001", "person_token": token, "mode": "instant", "receiving_district": "500112", "form": {}})
        assert link.status()["outbox"]["depth"] == 1
        assert await link.worker.drain(timeout_s=10)
        assert link.outbox.get(entry.id)["state"] == "delivered"  # type: ignore[index]
        assert link.status()["state"] == "online" and link.status()["outbox"]["depth"] == 0
    finally:
        await link.aclose()


async def test_two_deliveries_of_one_entry_at_once_do_not_park_it(tmp_path: Path, client: PlatformClient, person_token: str) -> None:
    outbox = _outbox(tmp_path)
    entry = outbox.enqueue(_app(person_token))
    worker = DeliveryWorker(outbox, client)
    first, second = await asyncio.gather(worker.deliver(entry.id), worker.deliver(entry.id))
    assert [first, second].count(None) == 1  # one delivered it, the other stood aside
    row = outbox.get(entry.id)
    assert row["state"] == "delivered", row  # type: ignore[index]
    assert await worker.deliver(entry.id) is None and outbox.get(entry.id)["state"] == "delivered"  # type: ignore[index]
