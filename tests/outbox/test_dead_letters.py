"""Dead letters with a way out: a definitive 4xx keeps the platform's reason and raises an alert; a technician
re-drives it and it is delivered; a catalog mismatch waits for the next catalog sync instead of dying."""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.terminal.outbox import DeliveryWorker, Outbox
from kiosk.terminal.outbox.store import HELD_RECHECK_S
from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform

TERMINAL = "CQ-500112-T001"


def _app(token: str, **extra: object) -> dict[str, object]:
    return {"item_code": "CQ-RS-0004", "person_token": token, "mode": "online", "receiving_district": "500112",
            "form": {"reason": "合同到期"}, **extra}


def copy_row(platform: EmbeddedPlatform, table: str, key: str, source: str, new: str) -> None:
    """The platform learns a new district / item, a copy of a known one under another code."""
    conn = platform.state.db.conn
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    values = ", ".join(f"'{new}'" if c == key else c for c in columns)
    conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {table} WHERE {key} = ?", (source,))


def _outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox.db", tmp_path / "outbox.key", TERMINAL)


async def test_a_refused_application_is_a_dead_letter_with_the_reason_and_an_alert(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, person_token: str) -> None:
    outbox = _outbox(tmp_path)
    entry = outbox.enqueue(_app(person_token, receiving_district="509999"))
    worker = DeliveryWorker(outbox, client)
    assert await worker.run_once() == 0
    row = outbox.get(entry.receipt)
    assert row is not None and row["state"] == "rejected" and row["reject_code"] == "DISTRICT_UNKNOWN"
    assert row["reject_message"] and row["reject_field"] == "receiving_district" and row["rejected_at"]
    assert outbox.due(now=float("inf")) == []  # never retried by itself
    alerts = outbox.alerts()
    assert [a["code"] for a in alerts] == ["outbox_dead_letter"] and alerts[0]["count"] == 1 and "DISTRICT_UNKNOWN" in alerts[0]["message"]
    assert outbox.stats().rejected == 1 and outbox._conn.execute("SELECT payload FROM outbox").fetchone()[0] is not None  # kept sealed

    # the platform's reference data is fixed; the technician re-drives it: delivered, the alert is gone
    copy_row(platform, "districts", "code", "500112", "509999")
    assert outbox.redrive(entry.receipt) is True and outbox.get(entry.id)["state"] == "pending"  # type: ignore[index]
    assert await worker.run_once() == 1
    row = outbox.get(entry.id)
    assert row is not None and row["state"] == "delivered" and row["case_id"] and row["redriven"] == 1
    assert outbox.alerts() == [] and outbox.redrive(entry.id) is False  # a delivered entry is not re-driven


async def test_an_unknown_item_waits_for_the_next_catalog_sync_and_is_then_delivered(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, person_token: str) -> None:
    outbox = _outbox(tmp_path)
    entry = outbox.enqueue(_app(person_token, item_code="CQ-NEW-0001"))
    worker = DeliveryWorker(outbox, client)
    assert await worker.run_once() == 0
    row = outbox.get(entry.id)
    assert row is not None and row["state"] == "held" and row["reject_code"] == "ITEM_UNKNOWN"
    assert [a["code"] for a in outbox.alerts()] == ["outbox_catalog_mismatch"]  # a warning, not a dead letter
    assert outbox.stats().held == 1 and outbox.stats().rejected == 0
    assert await worker.run_once() == 0 and outbox.get(entry.id)["state"] == "held"  # type: ignore[index]  # no retry before the sync
    assert outbox.release_stale_held(now=time.time() + HELD_RECHECK_S + 1) == 1  # hours without a sync: tried again
    assert await worker.run_once() == 0 and outbox.get(entry.id)["state"] == "held"  # type: ignore[index]  # held again, not dead

    copy_row(platform, "items", "code", "CQ-RS-0004", "CQ-NEW-0001")  # the catalog both sides sync to
    assert outbox.release_held() == 1
    assert await worker.run_once() == 1 and outbox.get(entry.id)["state"] == "delivered"  # type: ignore[index]


async def test_a_catalog_mismatch_that_survives_the_sync_is_a_dead_letter(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, person_token: str) -> None:
    outbox = _outbox(tmp_path)
    entry = outbox.enqueue(_app(person_token, item_code="CQ-GONE-0001"))
    worker = DeliveryWorker(outbox, client)
    await worker.run_once()
    assert outbox.get(entry.id)["state"] == "held"  # type: ignore[index]
    assert outbox.release_held() == 1
    await worker.run_once()
    row = outbox.get(entry.id)
    assert row is not None and row["state"] == "rejected" and row["reject_code"] == "ITEM_UNKNOWN"
    assert outbox.alerts()[0]["code"] == "outbox_dead_letter"
