"""Eligibility and the handling mode through the flow engine (real devices, embedded platform).

张三 (born 1987, 户籍 渝北) is refused the 高龄 subsidy when he answers 年满80周岁 — before any form — and
the 居住证 right after identification; 李秀英 (born 1945, 低保证 on the platform) gets through. A 即办件 is
decided on the spot; every other item is accepted and routed, the confirm screen saying what happens next.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from kiosk.errors import FlowError
from sim.robot import Persona
from tests.flows.conftest import Harness

ELDERLY = "00012500100001"
RESIDENCE_PERMIT = "00010900100001"
HOUSEHOLD_CERT = "00010900200001"  # 户籍证明出具: not 即办
UNEMPLOYMENT = "00011300100001"  # 失业登记: 即办件


@pytest.fixture()
def personas(harness: Harness) -> Iterator[dict[str, Persona]]:
    added: list[str] = []
    known = harness.sim.personas

    def variant(key: str, base: str, answers: dict[str, dict[str, str]]) -> None:
        known[key] = Persona(**{**known[base].__dict__, "key": key, "answers": answers})
        added.append(key)

    variant("zhangsan_80", "zhangsan", {ELDERLY: {"q_route": "o_old", "q_status": "o_dibao"}})
    variant("lixiuying_80", "lixiuying", {ELDERLY: {"q_route": "o_old", "q_status": "o_dibao"}})
    yield known
    for key in added:
        known.pop(key, None)


def _applications(harness: Harness, code: str) -> int:
    return harness.platform_db().conn.execute("SELECT COUNT(*) FROM applications WHERE item_code = ?", (code,)).fetchone()[0]


def test_zhangsan_answering_80_is_refused_with_condition_basis_and_evidence_before_any_form(harness: Harness, personas: dict[str, Persona]) -> None:
    before, start = _applications(harness, ELDERLY), len(harness.lines)
    with pytest.raises(FlowError) as refused:
        harness.call(lambda: harness.sim.run(ELDERLY, "zhangsan_80"))
    text = str(refused.value)
    assert "本事项要求年满80周岁（依据：重庆市经济困难的高龄失能老年人养老服务补贴实施办法），您的身份证显示您未满80周岁" in text
    lines = harness.lines[start:]
    assert any(line.startswith("[guide]") and "年满80周岁" in line for line in lines)
    assert not any(line.startswith(("[form]", "[materials]", "[signature]", "[confirm]")) for line in lines)
    assert _applications(harness, ELDERLY) == before


def test_a_yubei_resident_is_refused_a_residence_permit_right_after_identification(harness: Harness) -> None:
    before, start = _applications(harness, RESIDENCE_PERMIT), len(harness.lines)
    with pytest.raises(FlowError) as refused:
        harness.call(lambda: harness.sim.run(RESIDENCE_PERMIT, "zhangsan"))
    assert "本事项要求申请人为非重庆市户籍的公民（依据：《居住证暂行条例》（国务院令第663号）第二条）" in str(refused.value)
    assert "户籍在渝北区" in str(refused.value)
    assert not any(line.startswith(("[guide]", "[form]")) for line in harness.lines[start:])
    assert _applications(harness, RESIDENCE_PERMIT) == before


def test_an_81_year_old_on_dibao_is_accepted_and_routed_not_decided_on_the_spot(harness: Harness, personas: dict[str, Persona]) -> None:
    start = len(harness.lines)
    result = harness.call(lambda: harness.sim.run(ELDERLY, "lixiuying_80"))
    assert result.receipt and len(result.case_ids) == 1
    confirm = next(line for line in harness.lines[start:] if line.startswith("[confirm]"))
    assert "就地批办" not in confirm and "材料将提交至" in confirm
    mode = harness.platform_db().conn.execute("SELECT mode FROM applications WHERE case_id = ?", (result.case_ids[0],)).fetchone()[0]
    assert mode != "instant"


def test_not_jiban_is_accepted_and_the_screen_says_where_and_when(harness: Harness) -> None:
    start = len(harness.lines)
    result = harness.call(lambda: harness.sim.run(HOUSEHOLD_CERT, "zhangsan", mode="on_site"))  # asking for 就地批办 changes nothing
    confirm = next(line for line in harness.lines[start:] if line.startswith("[confirm]"))
    assert "办理模式 自助通办" in confirm and "材料将提交至" in confirm and "结果将短信通知" in confirm
    row = harness.platform_db().conn.execute("SELECT mode, body FROM applications WHERE case_id = ?", (result.case_ids[0],)).fetchone()
    assert row[0] != "instant" and json.loads(row[1])["mode"] != "instant"
    assert not result.certificate_printed


def test_a_jiban_item_is_decided_on_the_spot(harness: Harness) -> None:
    start = len(harness.lines)
    result = harness.call(lambda: harness.sim.run(UNEMPLOYMENT, "lisi"))
    confirm = next(line for line in harness.lines[start:] if line.startswith("[confirm]"))
    assert "办理模式 就地批办" in confirm and "当场出具办理结果" in confirm
    mode = harness.platform_db().conn.execute("SELECT mode FROM applications WHERE case_id = ?", (result.case_ids[0],)).fetchone()[0]
    assert mode == "instant"


def test_the_id_card_read_from_the_chip_is_the_applicants_id_material(harness: Harness) -> None:
    from kiosk.flows import intents as I
    from kiosk.flows.controller import Controller
    from kiosk.flows.viewmodels import MaterialsVM, ViewModel
    from sim.robot import Robot, load_personas

    services = harness.sim.services
    seen: list[ViewModel] = []

    async def scenario() -> MaterialsVM:
        controller = Controller(services, seen.append)
        robot = Robot(controller, load_personas()["zhangsan"], lambda line: None)  # identifies with 二代证 + face
        await controller.send(I.Touch())
        await controller.send(I.Start("00011500100001"))
        while not isinstance(controller.view, MaterialsVM):
            intent = robot.decide(controller.view)
            if robot.prepare is not None:
                await robot.prepare
                robot.prepare = None
            await controller.send(intent)
        first = controller.view
        await controller.end("finished")
        return first

    first = harness.call(scenario, timeout=90)
    ids = {m.id: m for m in first.materials}
    assert ids["idcard"].status == "elicense"  # on the first materials screen, before the citizen touched anything
    assert sum(1 for v in seen if isinstance(v, MaterialsVM)) == 1  # fetched before drawing: one screen, not two


def test_eligibility_is_checked_again_before_submit(harness: Harness, personas: dict[str, Persona]) -> None:
    """李秀英 qualifies at the guide; her 低保证 is revoked on the platform before she confirms: nothing is submitted."""
    from kiosk.flows import intents as I
    from kiosk.flows.controller import Controller
    from kiosk.flows.viewmodels import ConfirmVM, MessageVM, ViewModel
    from sim.robot import Robot

    services = harness.sim.services
    db = harness.platform_db().conn
    seen: list[ViewModel] = []
    before = _applications(harness, ELDERLY)

    async def scenario() -> ViewModel | None:
        controller = Controller(services, seen.append)
        robot = Robot(controller, personas["lixiuying_80"], lambda line: None)
        await controller.send(I.Touch())
        await controller.send(I.Start(ELDERLY))
        while not isinstance(controller.view, ConfirmVM):
            intent = robot.decide(controller.view)
            if robot.prepare is not None:
                await robot.prepare
                robot.prepare = None
            await controller.send(intent)
        saved = db.execute("SELECT * FROM licenses WHERE person_key = 'lixiuying' AND type_code = 'dibao'").fetchall()
        db.execute("DELETE FROM licenses WHERE person_key = 'lixiuying' AND type_code = 'dibao'")
        try:
            await controller.send(I.Confirm())
            after = controller.view
        finally:
            for row in saved:
                db.execute(f"INSERT INTO licenses VALUES ({','.join('?' * len(row))})", tuple(row))
            db.commit()
            await controller.end("finished")
        return after

    after = harness.call(scenario, timeout=120)
    assert isinstance(after, MessageVM) and after.text.startswith("本事项要求为城乡低保对象")
    assert _applications(harness, ELDERLY) == before
