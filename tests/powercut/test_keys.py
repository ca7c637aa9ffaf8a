"""A key made at first use survives the power cut that follows the first application it sealed."""

from __future__ import annotations

from pathlib import Path

from kiosk.security.keydir import key_path
from kiosk.terminal.outbox import Outbox
from sim.powercut.mount import PowerCutMount


def test_the_outbox_key_created_with_the_first_application_is_on_disk_after_a_cut(tmp_path: Path) -> None:
    with PowerCutMount(tmp_path / "fs") as fs:
        data = fs.mnt / "data"
        data.mkdir()
        fs.stop()  # the installed, empty data dir
        fs.start()
        outbox = Outbox(data / "outbox.db", key_path(data, "outbox.key"), "CQ-500112-T001")
        entry = outbox.enqueue({"item_code": "CQ-RS-0004", "form": {"n": 1}})  # committed: the citizen gets this receipt
        fs.cut()
        outbox.close()
        fs.restart()
        reopened = Outbox(data / "outbox.db", key_path(data, "outbox.key"), "CQ-500112-T001")
        try:
            assert reopened.unavailable == ""
            assert reopened.load(entry.id)[0]["terminal_receipt"] == entry.receipt
        finally:
            reopened.close()
