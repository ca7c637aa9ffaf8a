"""A missing or replaced outbox.key never regenerates over sealed rows: the outbox refuses new applications,
says why, keeps every row, and delivers them once the backed-up key is restored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.errors import OutboxUnavailable
from kiosk.terminal.outbox import DeliveryWorker, Outbox
from kiosk.terminal.outbox.crypto import install_key
from kiosk.terminal.platform import PlatformClient
from sim.platform.server import EmbeddedPlatform

TERMINAL = "CQ-500112-T001"


def _app(token: str) -> dict[str, object]:
    return {"item_code": "CQ-RS-0004", "person_token": token, "mode": "online", "receiving_district": "500112", "form": {"reason": "合同到期"}}


async def test_a_deleted_key_stops_new_applications_and_the_restored_key_delivers_them(
        tmp_path: Path, platform: EmbeddedPlatform, client: PlatformClient, person_token: str) -> None:
    key_file = tmp_path / "outbox.key"
    outbox = Outbox(tmp_path / "outbox.db", key_file, TERMINAL)
    entries = [outbox.enqueue(_app(person_token)) for _ in range(2)]
    outbox.close()
    backup = key_file.read_bytes()
    key_file.unlink()

    reopened = Outbox(tmp_path / "outbox.db", key_file, TERMINAL)
    assert not key_file.exists()  # never regenerated over sealed rows
    assert "outbox.key is missing" in reopened.unavailable and "2 sealed application(s)" in reopened.unavailable
    assert reopened.stats().unavailable and reopened.alerts()[0]["code"] == "outbox_key_unavailable"
    with pytest.raises(OutboxUnavailable):
        reopened.enqueue(_app(person_token))
    worker = DeliveryWorker(reopened, client)
    assert await worker.run_once() == 0 and await worker.drain(timeout_s=0.2) is False
    assert [reopened.get(e.id)["state"] for e in entries] == ["pending", "pending"]  # type: ignore[index]  # not LOCAL_UNREADABLE

    install_key(key_file, backup)  # the technician restores the backed-up key (kiosk outbox restore-key)
    assert await worker.run_once() == 2
    assert reopened.unavailable == "" and reopened.alerts() == []
    assert all(reopened.get(e.id)["state"] == "delivered" for e in entries)  # type: ignore[index]
    reopened.enqueue(_app(person_token))  # accepting again


def test_a_replaced_key_does_not_open_the_rows_and_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "outbox.key"
    Outbox(tmp_path / "outbox.db", key_file, TERMINAL).enqueue(_app("pt_" + "a" * 20))
    install_key(key_file, os.urandom(32))
    outbox = Outbox(tmp_path / "outbox.db", key_file, TERMINAL)
    assert "does not open the sealed applications" in outbox.unavailable
    with pytest.raises(OutboxUnavailable):
        outbox.enqueue(_app("pt_" + "b" * 20))


def test_a_key_is_created_while_nothing_is_sealed(tmp_path: Path) -> None:
    key_file = tmp_path / "outbox.key"
    outbox = Outbox(tmp_path / "outbox.db", key_file, TERMINAL)
    assert key_file.stat().st_mode & 0o777 == 0o600 and outbox.unavailable == ""
    entry = outbox.enqueue(_app("pt_" + "a" * 20))
    outbox.mark_delivered(entry.id, "CQ20261202000001")  # wiped: nothing sealed is left
    outbox.close()
    key_file.unlink()
    again = Outbox(tmp_path / "outbox.db", key_file, TERMINAL)
    assert again.unavailable == "" and key_file.exists()
