"""Every catalog item and both 一件事 (life events), end to end through the ``kiosk simulate`` path."""

from __future__ import annotations

import pytest

from kiosk.content import items_dir
from kiosk.items import load_catalog
from tests.flows.conftest import Harness

CATALOG = load_catalog(items_dir())
ITEMS = sorted(CATALOG.items)
LIFE_EVENTS = sorted(CATALOG.life_events)


def _members(code: str) -> int:
    return len(CATALOG.life_events[code].members) if code in CATALOG.life_events else 1


def _applications(harness: Harness, item_code: str) -> int:
    return harness.platform_db().conn.execute("SELECT COUNT(*) FROM applications WHERE item_code = ?", (item_code,)).fetchone()[0]


def _mode(code: str) -> str | None:
    """自助通办 where the item offers it (the A4 result print of 就地批办 costs ~2 s of CPU per run;
    it has its own tests below); otherwise the engine's default."""
    if code in CATALOG.items and "self_service" in CATALOG.items[code].handling_modes and code != SI_RECORD:
        return "self_service"
    return None


NO_ELIGIBLE_PERSONA = {"00010900100001": "非重庆市户籍"}  # 居住证: every demo persona has a 重庆 户籍; the refusal cites its basis
SI_RECORD = "00011200400001"  # keeps the default: 就地批办 with the 参保证明 printed on A4


@pytest.mark.parametrize("code", ITEMS + LIFE_EVENTS)
def test_item_completes_end_to_end(harness: Harness, code: str) -> None:
    before = {m.item: _applications(harness, m.item) for m in CATALOG.life_events[code].members} if code in CATALOG.life_events else {code: _applications(harness, code)}
    result = harness.call(lambda: harness.sim.run_eligible(code, "zhangsan", mode=_mode(code)))  # 张三, or a persona the item admits
    if code in NO_ELIGIBLE_PERSONA:
        assert NO_ELIGIBLE_PERSONA[code] in result.refused and "（依据：" in result.refused and not result.receipt, result
        assert _applications(harness, code) == before[code]  # refused before anything was sent
        return
    assert result.receipt.startswith("CQ-500112-DEMO-"), result
    assert result.printed
    # every member reached the platform exactly once, with its own case number
    assert len(result.case_ids) == _members(code) == len(set(result.case_ids))
    for item_code, count in before.items():
        assert _applications(harness, item_code) == count + 1
    for kind in ("identify", "form", "confirm", "receipt", "evaluate"):
        assert kind in result.screens
    assert result.session_files_left == 0
    assert not any((harness.sim.services.sessions_root).iterdir())
    if code == SI_RECORD:
        assert result.certificate_printed


def test_life_event_is_one_flow_with_shared_fields_typed_once(harness: Harness) -> None:
    start = len(harness.lines)
    result = harness.call(lambda: harness.sim.run("YJS000001", "zhangsan"))
    lines = harness.lines[start:]
    assert sum(1 for line in lines if line.startswith("[identify]")) == 1
    assert sum(1 for line in lines if line.startswith("[form] 新生儿姓名 =")) == 1  # shared field: typed once for 3 members
    assert sum(1 for line in lines if line.startswith("[receipt]")) == 1
    assert len(result.case_ids) == 4


@pytest.mark.parametrize("persona,code", [("lisi", "00011300100001"), ("wangwu", "00012700100001")])
def test_other_identity_methods(harness: Harness, persona: str, code: str) -> None:
    start = len(harness.lines)
    result = harness.call(lambda: harness.sim.run(code, persona))
    assert result.receipt and len(result.case_ids) == 1
    method = {"lisi": "渝快码", "wangwu": "社会保障卡"}[persona]
    assert any(line.startswith("[identify]") and method in line for line in harness.lines[start:])


def test_agent_flow_captures_principal_and_authorization(harness: Harness) -> None:
    start = len(harness.lines)
    result = harness.call(lambda: harness.sim.run("00010900200001", "agent_zhangsan_for_lixiuying"))
    lines = harness.lines[start:]
    assert result.receipt and len(result.case_ids) == 1
    assert any("代办" in line and "被代办人" in line for line in lines)
    assert any(line.startswith("[materials] 授权委托书") for line in lines)
    body = harness.platform_db().conn.execute("SELECT body FROM applications WHERE case_id = ?", (result.case_ids[0],)).fetchone()[0]
    assert '"principal_id_number": "500240194506083025"' in body
    assert '"material_code": "authorization"' in body


def test_elder_remote_applicant_is_routed_to_the_handling_district(harness: Harness) -> None:
    start = len(harness.lines)
    speaker = harness.sim.services.terminal.speaker.emulator
    spoken_before = len(speaker.spoken)
    result = harness.call(lambda: harness.sim.run("00011500100001", "lixiuying", elder=True))
    lines = harness.lines[start:]
    assert result.receipt
    spoken = speaker.spoken[spoken_before:]
    assert len(spoken) >= 3 and any("身份" in text for text in spoken)  # steps are voiced in elder mode
    assert not any("李秀英" in text or "500240194506083025" in text for text in spoken)
    assert any("异地代收代办" in line and "石柱" in line for line in lines if line.startswith("[confirm]"))
    row = harness.platform_db().conn.execute("SELECT mode, receiving_district, handling_district FROM applications WHERE case_id = ?",
                                             (result.case_ids[0],)).fetchone()
    assert row == ("remote_proxy", "500112", "500240")


def test_on_site_mode_prints_the_result_document(harness: Harness) -> None:
    result = harness.call(lambda: harness.sim.run("00011300100001", "zhangsan", mode="on_site"))
    assert result.certificate_printed
    row = harness.platform_db().conn.execute("SELECT mode FROM applications WHERE case_id = ?", (result.case_ids[0],)).fetchone()
    assert row == ("instant",)
