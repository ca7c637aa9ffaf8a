"""Counters from real device commands on the bus, recent errors with actions, log export masked, actions audited."""

from __future__ import annotations

import json
import tarfile
from datetime import datetime
from pathlib import Path
from typing import AsyncIterator

import pytest

from kiosk.content import items_dir
from kiosk.fleet.configs import ConfigBundles
from kiosk.maint import totp
from kiosk.maint.auth import MAINT, MaintenanceAuth
from kiosk.maint.counters import DeviceCounters
from kiosk.maint.session import MaintenanceSession, NotInMaintenance
from kiosk.receipts.testpage import build_test_page
from kiosk.settings import parse_config
from kiosk.store import AuditTrail, Store
from kiosk.terminal.events import Error
from kiosk.terminal.facade import Terminal

CONFIG = """
[terminal]
id = "CQ-500112-MS"
hall = "测试大厅"
district_code = "500112"
district_name = "渝北区"
[platform]
url = "embedded:"
[devices.printer]
url = "sim:printer"
timeout_s = 5
[devices.idcard]
url = "sim:idcard?card=zhangsan"
timeout_s = 5
"""
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def terminal() -> AsyncIterator[Terminal]:
    t = Terminal(parse_config(CONFIG))
    await t.start()
    yield t
    await t.stop()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kiosk.db", [MAINT])


async def test_counters_count_real_commands_and_persist(terminal: Terminal, store: Store) -> None:
    counters = DeviceCounters(terminal.bus, store)
    for _ in range(2):
        assert (await terminal.printer.print_document(build_test_page("T", datetime.now()))).ok  # type: ignore[union-attr]
    assert (await terminal.idcard.read_card()).ok  # type: ignore[union-attr]
    terminal.bus.publish(Error("printer", description="cutter jammed"))
    snap = counters.snapshot()
    assert snap["printer"]["prints"] == 2 and snap["printer"]["cuts"] == 2 and snap["printer"]["errors"] == 1
    assert snap["idcard"]["card_reads"] == 1
    counters.close()
    assert DeviceCounters(terminal.bus, store).snapshot() == snap  # survives a restart


async def test_session_actions_are_audited(terminal: Terminal, store: Store, tmp_path: Path) -> None:
    secret = totp.new_secret()
    audit = AuditTrail(store)
    configs = ConfigBundles(tmp_path / "config", items_dir(), "")
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    (log_dir / "kiosk.jsonl").write_text(json.dumps({"msg": "read card 500112198703152613 phone 13812345678"}) + "\n", encoding="utf-8")
    session = MaintenanceSession(terminal, MaintenanceAuth({}, secret, store=store, audit=audit), audit=audit, configs=configs,
                                 counters=DeviceCounters(terminal.bus, store), log_dir=log_dir)
    assert session.enter_with_totp(totp.totp(secret)).ok
    terminal.printer.emulator.set_paper("out")  # type: ignore[union-attr]
    await terminal.printer.print_document(build_test_page("T", datetime.now()))  # type: ignore[union-attr]
    errors = session.recent_errors()
    assert errors and errors[0]["device"] == "printer" and errors[0]["action"] == "clear"
    report = await session.selftest(["test_print", "idcard_read"])
    assert report["passed"] is False
    assert session.config_status()["active"] == 0
    exported = session.export_logs(tmp_path / "usb")
    with tarfile.open(exported) as archive:
        text = archive.extractfile("logs/kiosk.jsonl").read().decode()  # type: ignore[union-attr]
    assert "500112198703152613" not in text and "5001**********2613" in text and "138****5678" in text
    session.leave()
    actions = [r.action for r in audit.records()]
    assert actions == ["maint.enter", "maint.view_errors", "maint.selftest", "maint.view_config", "maint.export_logs", "maint.leave"]
    assert audit.verify().ok
    with pytest.raises(NotInMaintenance, match="enter maintenance"):
        session.counters()
