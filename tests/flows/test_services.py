"""The other citizen services through the controller: case status, queue ticket, centres, FAQ,
办不成事, 帮办, and home search with pinyin initials."""

from __future__ import annotations

from typing import Any

from kiosk.flows import intents as I
from kiosk.flows.controller import Controller
from kiosk.flows.viewmodels import (
    AppointmentVM, CaseStatusVM, CentresVM, ComplaintVM, FaqVM, HelpVM, HomeVM, ViewModel,
)

from tests.flows.conftest import Harness


def _drive(harness: Harness, *intents: I.Intent, before: Any = None) -> list[ViewModel]:
    seen: list[ViewModel] = []

    async def scenario() -> None:
        controller = Controller(harness.sim.services, seen.append)
        try:
            await controller.send(I.Touch())
            for intent in intents:
                if callable(before):
                    before(intent)
                await controller.send(intent)
        finally:
            await controller.end("finished")

    harness.call(scenario)
    return seen


def test_case_status_by_receipt_qr(harness: Harness) -> None:
    result = harness.call(lambda: harness.sim.run("00011300100001", "lisi"))
    url = f"https://zwykb.cq.gov.cn/progress?r={result.receipt}"
    shown = lambda intent: harness.sim.services.terminal.barcode.emulator.show(url) if isinstance(intent, I.Choose) else None  # noqa: E731
    seen = _drive(harness, I.OpenService("case_status"), I.Choose("method", "qr"), before=shown)
    final = [v for v in seen if isinstance(v, CaseStatusVM)][-1]
    assert final.phase == "result" and not final.error
    assert final.cases[0].case_number == result.case_ids[0]
    assert final.cases[0].status_label == "已办结" and final.cases[0].item_name == "失业登记"  # 即办件: decided on the spot


def test_case_status_rejects_a_qr_that_is_not_a_receipt(harness: Harness) -> None:
    shown = lambda intent: harness.sim.services.terminal.barcode.emulator.show("https://example.com/") if isinstance(intent, I.Choose) else None  # noqa: E731
    seen = _drive(harness, I.OpenService("case_status"), I.Choose("method", "qr"), before=shown)
    final = [v for v in seen if isinstance(v, CaseStatusVM)][-1]
    assert "不是办件回执" in final.error


def test_queue_ticket_at_the_nearest_centre_is_printed(harness: Harness) -> None:
    seen = _drive(harness, I.OpenService("appointment"))
    centre = [v for v in seen if isinstance(v, AppointmentVM)][-1].centres[0].id
    seen = _drive(harness, I.OpenService("appointment"), I.Choose("centre", centre), I.Choose("slot", "now"))
    final = [v for v in seen if isinstance(v, AppointmentVM)][-1]
    assert final.ticket is not None and final.ticket.kind == "queue" and final.ticket.number
    assert final.printed


def test_centres_sorted_by_distance_from_the_hall(harness: Harness) -> None:
    seen = _drive(harness, I.OpenService("centres"))
    centres = [v for v in seen if isinstance(v, CentresVM)][-1].centres
    assert len(centres) >= 3
    assert centres[0].district == "渝北区"  # the terminal's own district centre is nearest
    assert [c.distance_m for c in centres] == sorted(c.distance_m for c in centres)


def test_faq_answers_a_colloquial_question(harness: Harness) -> None:
    seen = _drive(harness, I.OpenService("faq"), I.SubmitText("社保卡弄丢了咋办"))
    final = [v for v in seen if isinstance(v, FaqVM)][-1]
    assert final.hits and "社保卡" in final.hits[0].question + final.hits[0].answer


def test_complaint_and_help_reach_the_platform(harness: Harness) -> None:
    seen = _drive(harness, I.OpenService("complaint"), I.SubmitText("材料齐全但终端一直提示失败，办不成", category="cannot_handle"))
    complaint = [v for v in seen if isinstance(v, ComplaintVM)][-1]
    assert complaint.submitted and complaint.reference
    seen = _drive(harness, I.Help())
    help_vm = [v for v in seen if isinstance(v, HelpVM)][-1]
    assert help_vm.requested and help_vm.request_id


def test_short_complaint_is_refused_locally(harness: Harness) -> None:
    seen = _drive(harness, I.OpenService("complaint"), I.SubmitText("慢"))
    final = [v for v in seen if isinstance(v, ComplaintVM)][-1]
    assert not final.submitted and "5个字" in final.error


def test_home_search_by_pinyin_initials_and_elder_toggle(harness: Harness) -> None:
    seen = _drive(harness, I.Search("sbjf"), I.ToggleElder(), I.Search("jzz"))
    homes = [v for v in seen if isinstance(v, HomeVM)]
    first = next(v for v in homes if v.query == "sbjf")
    assert any("社会保险" in e.name for e in first.results) and not first.elder_mode
    last = homes[-1]
    assert last.query == "jzz" and last.results[0].name == "居住证申领" and last.elder_mode and last.speak


def test_continue_on_mobile_hands_the_draft_over_once(harness: Harness) -> None:
    from kiosk.errors import PlatformRejected
    from sim.robot import Robot, load_personas
    from kiosk.flows.viewmodels import ConfirmVM, HandoverVM

    services = harness.sim.services
    seen: list[ViewModel] = []

    async def scenario() -> tuple[HandoverVM, Any, str]:
        controller = Controller(services, seen.append)
        robot = Robot(controller, load_personas()["zhangsan"], lambda line: None)
        await controller.send(I.Touch())
        await controller.send(I.Start("00011500100001"))
        while not isinstance(controller.view, ConfirmVM):
            intent = robot.decide(controller.view)
            if robot.prepare is not None:
                await robot.prepare
                robot.prepare = None
            await controller.send(intent)
        confirm = controller.view
        materials = [row for row in confirm.rows if row.section == "material"]
        names = {m.name for m in services.catalog.items["00011500100001"].materials}
        assert materials and all(row.label in names for row in materials), materials  # names, not material ids
        shown = " ".join(row.value for row in confirm.rows)
        assert "500112198703152613" not in shown and "5001**********2613" in shown  # masked on the screen too
        await controller.send(I.Handover())
        vm = controller.view
        assert isinstance(vm, HandoverVM)
        handover_id = vm.qr_payload.rsplit("=", 1)[1]
        claim = await services.link.client.claim_handover(handover_id)
        try:
            await services.link.client.claim_handover(handover_id)
            second = "claimed twice"
        except PlatformRejected as exc:
            second = exc.code
        await controller.send(I.Back())  # back on the confirm screen, nothing lost
        assert isinstance(controller.view, ConfirmVM)
        await controller.end("finished")
        return vm, claim, second

    vm, claim, second = harness.call(scenario)
    assert vm.qr_png and vm.qr_png.startswith(b"\x89PNG") and 0 < vm.expires_in_s <= 600
    assert "500112198703152613" not in vm.qr_payload and "张三" not in vm.qr_payload
    assert claim.item_code == "00011500100001" and claim.name_masked == "张*" and claim.step == "confirm"
    assert claim.draft["field.id_number"] == "500112198703152613"
    assert second == "HANDOVER_USED"


def test_case_status_by_id_card(harness: Harness) -> None:
    services = harness.sim.services
    result = harness.call(lambda: harness.sim.run("00011300100001", "zhangsan"))
    services.terminal.idcard.emulator.insert("zhangsan")
    seen = _drive(harness, I.OpenService("case_status"), I.Choose("method", "idcard"))
    final = [v for v in seen if isinstance(v, CaseStatusVM)][-1]
    assert final.phase == "result", final.error
    assert result.case_ids[0] in {c.case_number for c in final.cases}


def test_appointment_needs_identity_and_gives_a_check_in_code(harness: Harness) -> None:
    services = harness.sim.services
    seen = _drive(harness, I.OpenService("appointment"))
    centre = [v for v in seen if isinstance(v, AppointmentVM)][-1].centres[0].id
    seen = _drive(harness, I.OpenService("appointment"), I.Choose("centre", centre))
    slot = next(o.id for o in [v for v in seen if isinstance(v, AppointmentVM)][-1].slots if o.id != "now")
    services.terminal.idcard.emulator.insert("zhangsan")
    seen = _drive(harness, I.OpenService("appointment"), I.Choose("centre", centre), I.Choose("slot", slot))
    final = [v for v in seen if isinstance(v, AppointmentVM)][-1]
    assert final.ticket is not None and final.ticket.kind == "appointment", final.error
    assert len(final.ticket.number) == 6 and final.printed


def test_case_status_by_person_uses_the_社保卡_when_the_id_reader_is_down(harness: Harness) -> None:
    """A service screen's identification offers what works: the 二代证 reader is down, the 社保卡 on the reader
    identifies the citizen instead of a refusal."""
    from kiosk.terminal.status import DeviceState

    reader = harness.sim.services.terminal.idcard
    reader.runner.report(DeviceState.HARDWARE_ERROR, "test: reader fault")
    try:
        seen = _drive(harness, I.OpenService("case_status"), I.Choose("method", "id"))
    finally:
        reader.runner.report(DeviceState.ONLINE)
    final = [v for v in seen if isinstance(v, CaseStatusVM)][-1]
    assert "身份核验未通过" not in (final.error or "") and final.phase == "result", final
