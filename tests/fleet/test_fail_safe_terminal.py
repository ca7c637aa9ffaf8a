"""The assembled terminal fails safe: a corrupt kiosk.db is quarantined and the outbox keeps delivering; a missing
outbox.key closes the terminal to new applications with a reason and an alert; an applied catalog releases held
applications. Against the embedded platform emulator over real HTTP."""

from __future__ import annotations

from pathlib import Path

from kiosk.assembly import Assembly, assemble
from kiosk.fleet.mode import OUTBOX_CLOSED
from kiosk.settings import parse_config
from kiosk.settings.model import TerminalConfig
from tests.platform.conftest import FACE, ZHANGSAN

CONFIG = """
[terminal]
id = "CQ-500112-SAFE"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
data_dir = "{data}"
[platform]
url = "embedded:"
enrollment_code = "DEMO-ENROLL"
bundle_public_key = "{key}"
[logging]
file = "-"
[devices.speaker]
url = "sim:speaker"
"""


def _config(tmp_path: Path, key: str = "") -> TerminalConfig:
    return parse_config(CONFIG.format(data=tmp_path / "data", key=key))


async def _with_pending(config: TerminalConfig, **extra: str) -> tuple[str, str]:
    """Assemble once, enqueue one application (not delivered), shut down; returns (entry id, receipt)."""
    first = assemble(config)
    link = first.services.link
    token = (await link.client.verify_id_card(ZHANGSAN, FACE)).person_token
    entry = link.outbox.enqueue({"item_code": "CQ-RS-0004", "person_token": token, "mode": "online", "receiving_district": "500112",
                                 "form": {"reason": "合同到期"}, **extra})
    await _close(first)
    return entry.id, entry.receipt


async def _close(assembly: Assembly) -> None:
    await assembly.services.link.aclose()
    assembly.store.close()


async def test_a_corrupt_kiosk_db_is_quarantined_and_the_outbox_still_delivers(tmp_path: Path) -> None:
    config = _config(tmp_path)
    entry_id, _ = await _with_pending(config)
    db = tmp_path / "data" / "kiosk.db"
    db.write_bytes(b"\x13garbage" * 4096)
    again = assemble(config)  # no traceback
    try:
        assert again.store.quarantined is not None and list((tmp_path / "data").glob("kiosk.db.corrupt-*"))
        assert again.fleet.agent is not None
        assert "store_quarantined" in [a["code"] for a in again.fleet.agent.alerts()]
        link = again.services.link
        assert await link.worker.run_once() == 1 and link.outbox.get(entry_id)["state"] == "delivered"  # type: ignore[index]
    finally:
        await _close(again)


async def test_a_missing_outbox_key_closes_the_terminal_to_applications_and_says_why(tmp_path: Path) -> None:
    config = _config(tmp_path)
    entry_id, _ = await _with_pending(config)
    key = tmp_path / "data" / "keys" / "outbox.key"  # keys live apart from the outbox db (issue 16)
    backup = key.read_bytes()
    key.unlink()
    again = assemble(config)
    try:
        assert not key.exists() and again.services.link.outbox.unavailable
        await again.fleet.start()
        assert again.fleet.mode.snapshot.mode == "out_of_service" and again.fleet.mode.snapshot.reason == OUTBOX_CLOSED
        assert again.fleet.agent is not None and "outbox_key_unavailable" in [a["code"] for a in again.fleet.agent.alerts()]
        assert "outbox.unavailable" in [r.action for r in again.audit.records()]
        await again.fleet.agent.beat()
        assert again.fleet.mode.snapshot.mode == "out_of_service"  # stays closed while the key is missing
        key.write_bytes(backup)  # restored
        await again.fleet.agent.beat()
        assert again.fleet.mode.snapshot.mode == "in_service"  # open again without a restart
        assert await again.services.link.worker.run_once() == 1
        assert again.services.link.outbox.get(entry_id)["state"] == "delivered"  # type: ignore[index]
    finally:
        await again.fleet.stop()
        await _close(again)


async def test_an_applied_catalog_releases_applications_held_for_it(tmp_path: Path, signed, public_key: str) -> None:  # type: ignore[no-untyped-def]
    config = _config(tmp_path, public_key)
    entry_id, _ = await _with_pending(config)
    again = assemble(config)
    try:
        outbox = again.services.link.outbox
        outbox.mark_held(entry_id, "ITEM_UNKNOWN", "事项不存在", "item_code")
        again.fleet.configs.accept(signed(2))
        assert again.fleet.at_session_boundary(session_active=False) == "applied"
        assert outbox.get(entry_id)["state"] == "pending"  # type: ignore[index]
        assert await again.services.link.worker.run_once() == 1
    finally:
        await _close(again)
