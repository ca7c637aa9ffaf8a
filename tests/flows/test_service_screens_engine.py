"""The engine side of the service screens: case status by a typed 受理编号 (receipt number without its
hyphens, or the case number), and 预约取号's day choice (open days of the coming week, each with its slots)."""

from __future__ import annotations

import datetime as dt

from kiosk.flows import intents as I
from kiosk.flows.citizen.case_lookup import normalise
from kiosk.flows.viewmodels import AppointmentVM, CaseStatusVM
from tests.flows.conftest import Harness
from tests.flows.test_services import _drive


def test_typed_receipt_number_without_hyphens_finds_the_case(harness: Harness) -> None:
    result = harness.call(lambda: harness.sim.run("00011300100001", "lisi"))
    typed = normalise(result.receipt).lower()  # the letters keyboard types lower case and has no hyphen
    assert "-" in result.receipt and "-" not in typed
    seen = _drive(harness, I.OpenService("case_status"), I.SubmitText(typed))
    final = [v for v in seen if isinstance(v, CaseStatusVM)][-1]
    assert final.phase == "result" and not final.error, final.error
    assert final.cases[0].case_number == result.case_ids[0] and final.cases[0].item_name == "失业登记"
    seen = _drive(harness, I.OpenService("case_status"), I.SubmitText(result.case_ids[0]))  # the 办件号 typed
    assert [v for v in seen if isinstance(v, CaseStatusVM)][-1].cases[0].case_number == result.case_ids[0]


def test_typed_unknown_or_short_number_is_told_in_plain_words(harness: Harness) -> None:
    seen = _drive(harness, I.OpenService("case_status"), I.SubmitText("CQYB0001209912310000"))
    assert [v for v in seen if isinstance(v, CaseStatusVM)][-1].error == "没有查到该受理编号，请核对后重新输入"
    seen = _drive(harness, I.OpenService("case_status"), I.SubmitText("cq1"))
    assert [v for v in seen if isinstance(v, CaseStatusVM)][-1].error == "请输入完整的受理编号"


def test_appointment_offers_open_days_and_each_day_its_slots(harness: Harness) -> None:
    seen = _drive(harness, I.OpenService("appointment"))
    centre = [v for v in seen if isinstance(v, AppointmentVM)][-1].centres[0].id
    seen = _drive(harness, I.OpenService("appointment"), I.Choose("centre", centre))
    vm = [v for v in seen if isinstance(v, AppointmentVM)][-1]
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    assert len(vm.days) >= 2 and vm.day == vm.days[0].id
    assert all(today < dt.date.fromisoformat(d.id) <= today + dt.timedelta(days=7) for d in vm.days)
    assert vm.slots[0].id == "now" and len(vm.slots) > 1
    seen = _drive(harness, I.OpenService("appointment"), I.Choose("centre", centre), I.Choose("day", vm.days[1].id))
    other = [v for v in seen if isinstance(v, AppointmentVM)][-1]
    assert other.day == vm.days[1].id and other.slots[0].id == "now"
    day_of = lambda o: dt.datetime.fromtimestamp(int(o.id), dt.timezone(dt.timedelta(hours=8))).date().isoformat()  # noqa: E731
    assert {day_of(o) for o in other.slots[1:]} == {vm.days[1].id}
