"""A corrupt outbox.db is kept for recovery (renamed, alerted), a fresh one accepts applications at once, and its
receipt numbers cannot repeat one already printed; a healthy outbox is never touched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.errors import StoreError
from kiosk.terminal.outbox import Outbox

TERMINAL = "CQ-500112-T001"


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_outbox_is_kept_and_a_fresh_one_numbers_past_it(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "outbox.db"
    outbox = Outbox(path, tmp_path / "outbox.key", TERMINAL)
    for _ in range(40):
        outbox.enqueue({"item_code": "CQ-RS-0004", "form": {"reason": "x" * 2000}})
    outbox._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    outbox.close()
    original = path.read_bytes()
    path.write_bytes(os.urandom(len(original)) if damage == "garbage" else original[: len(original) // 3])
    broken = path.read_bytes()

    fresh = Outbox(path, tmp_path / "outbox.key", TERMINAL)  # no traceback
    assert fresh.quarantined is not None and fresh.quarantined[0].read_bytes() == broken
    assert fresh.alerts()[0]["code"] == "outbox_quarantined" and fresh.quarantined[0].name in fresh.alerts()[0]["message"]
    entry = fresh.enqueue({"item_code": "CQ-RS-0004", "form": {}})
    assert entry.receipt.endswith("-900001") and fresh.unavailable == ""  # never a receipt number printed before
    fresh.close()
    assert Outbox(path, tmp_path / "outbox.key", TERMINAL).quarantined is None


def test_a_technicians_tool_reports_a_corrupt_outbox_instead_of_replacing_it(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(StoreError):
        Outbox(path, tmp_path / "outbox.key", TERMINAL, create_key=False, quarantine_corrupt=False)
    assert not list(tmp_path.glob("*.corrupt-*"))
