"""Pure parts: validation, pinyin search, view-model invariants, the plan of a life event."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kiosk.content import items_dir
from kiosk.flows import intents, plan, viewmodels
from kiosk.flows.search import ItemIndex, initials
from kiosk.flows.validation import field_error, id_number_error
from kiosk.items import load_catalog
from kiosk.items.model import FormField

CATALOG = load_catalog(items_dir())


@pytest.mark.parametrize("number,ok", [("500112198703152613", True), ("500112198703152612", False), ("11010519491231002X", True),
                                       ("110105194912310021", False), ("500112198702302613", False), ("50011219870315261", False),
                                       ("500112208703152613", False)])
def test_gb11643(number: str, ok: bool) -> None:
    assert (id_number_error(number, dt.date(2026, 11, 26)) == "") is ok


@pytest.mark.parametrize("kind,value,error", [
    ("phone", "13800000001", ""), ("phone", "1380000000", "11位"), ("phone", "23800000001", "11位"),
    ("date", "2024-02-29", ""), ("date", "2023-02-29", "格式"), ("address", "重庆市渝北区金龙路88号", ""), ("address", "家里", "详细地址"),
    ("bank_account", "6222020200112345678", ""), ("bank_account", "62220", "12到19位"),
])
def test_field_rules(kind: str, value: str, error: str) -> None:
    spec = FormField("f", "字段", kind)
    found = field_error(spec, value, True)
    assert (error in found) if error else found == ""


def test_not_future_date_and_required() -> None:
    spec = FormField("d", "登记日期", "date", not_future=True)
    assert "不能晚于今天" in field_error(spec, "2999-01-01", True)
    assert field_error(spec, "", True) == "请填写登记日期"
    assert field_error(spec, "", False) == ""


def test_pinyin_search() -> None:
    index = ItemIndex(CATALOG)
    assert initials("社保缴费") == "sbjf"
    assert any("社会保险" in e.name for e in index.search("sbjf"))
    assert index.search("jzz")[0].name == "居住证申领"
    assert index.search("juzhuzheng")[0].name == "居住证申领"
    assert index.search("一件事") and all(e.life_event for e in index.search("一件事"))
    assert index.search("xyzxyz") == ()


def test_every_viewmodel_is_frozen_and_speaks() -> None:
    kinds = set()
    for cls in vars(viewmodels).values():
        if isinstance(cls, type) and issubclass(cls, viewmodels.ViewModel) and cls is not viewmodels.ViewModel:
            names = {f.name for f in dataclasses.fields(cls)}
            assert {"elder_mode", "speak"} <= names, cls
            assert cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
            kinds.add(cls.kind)
    assert {"attract", "home", "identify", "guide", "form", "materials", "signature", "confirm", "progress", "receipt", "evaluate",
            "message", "idle", "case_status", "appointment", "centres", "faq", "help", "complaint", "handover", "notice"} <= kinds
    assert all(dataclasses.is_dataclass(c) for c in vars(intents).values() if isinstance(c, type) and issubclass(c, intents.Intent))


def test_life_event_plan_shares_fields_and_materials() -> None:
    p = plan.plan_for(CATALOG, "YJS000001")
    answers: dict[str, dict[str, str]] = {}
    while (found := plan.next_question(p, answers)) is not None:
        member, question = found
        answers.setdefault(member.id, {})[question.id] = question.options[0].id
    keys = [f.key for f in plan.fields(p, answers)]
    assert keys.count("shared.child_name") == 1 and not any(k.endswith(".child_name") for k in keys if not k.startswith("shared."))
    materials = [m.key for m, _ in plan.materials(p, answers, {}, "idcard_face", None)]
    assert materials.count("shared.birth_cert") == 1 and "birth_reg.birth_cert" not in materials


def test_agent_adds_the_written_authorization() -> None:
    p = plan.plan_for(CATALOG, "00010900200001")
    answers: dict[str, dict[str, str]] = {}
    while (found := plan.next_question(p, answers)) is not None:
        member, question = found
        answers.setdefault(member.id, {})[question.id] = question.options[0].id
    needed = {m.key for m, need in plan.materials(p, answers, {}, "agent", None) if need}
    assert "authorization" in needed
    assert "authorization" not in {m.key for m, need in plan.materials(p, answers, {}, "idcard_face", None) if need}


def test_a_broken_checkpoint_does_not_stop_recovery(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A SUBMITTING checkpoint whose captured files are gone: recorded as failed, wiped, start-up continues."""
    import asyncio

    from kiosk.assembly import open_flow_services
    from kiosk.flows.machine import FlowMachine
    from kiosk.flows.recovery import recover
    from kiosk.flows.states import FlowState
    from tests.flows.conftest import config_for

    async def scenario() -> list[str]:
        services = await open_flow_services(config_for(tmp_path), catalog=CATALOG, start_devices=False)
        try:
            payload = {"code": "00011300100001", "entries": [], "submit_started_at": 1.0, "answers": {"00011300100001": {"q_who": "o_general"}},
                       "provided": {"idcard": {"status": "captured", "source": "scanner", "files": [str(tmp_path / "gone.jpg")]}},
                       "identity": {"method": "ykm", "person_token": "pt_" + "x" * 20, "name_masked": "李*"}}
            FlowMachine("s" * 32, "00011300100001", services.store, services.box, FlowState.SUBMITTING).checkpoint(payload)
            results = await recover(services)
            left = services.store.db().execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0]
            failed = services.store.db().execute("SELECT COUNT(*) FROM audit WHERE action = 'flow.recovery_failed'").fetchone()[0]
            assert left == 0 and failed == 1
            return [r.outcome for r in results]
        finally:
            await services.aclose()

    assert asyncio.run(scenario()) == ["failed"]
