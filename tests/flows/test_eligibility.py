"""Eligibility rules as data (kiosk.items.eligibility) and the handling mode the engine decides
(kiosk.items.handling), over the real catalog: pure, no devices."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.content import items_dir
from kiosk.items import load_catalog
from kiosk.items.eligibility import Fact, Verified, failures, holds
from kiosk.items.handling import decide, immediate_holds, next_steps
from kiosk.items.jurisdiction import Routing
from kiosk.items.loader import Catalog

TODAY = dt.date(2026, 12, 2)
ELDERLY = "00012500100001"  # 经济困难的高龄失能老年人养老服务补贴
RESIDENCE_PERMIT = "00010900100001"
SENIOR_CARD = "00012500900001"
MARRIAGE = "00012500200001"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(items_dir())


def zhangsan(**over: object) -> Verified:
    base: dict[str, object] = {"birth_date": dt.date(1987, 3, 15), "sex": "男", "household_district": "500112", "household_in_city": True,
                               "household_name": "渝北区", "terminal_district": "500112", "identity_kind": "idcard_face",
                               "licences": frozenset(), "shared": {"marital_status": "已婚"}, "today": TODAY}
    return Verified(**{**base, **over})  # type: ignore[arg-type]


def test_zhangsan_answering_80_is_told_the_condition_its_basis_and_what_his_id_shows(catalog: Catalog) -> None:
    item = catalog.item(ELDERLY)
    found = failures(item.eligibility_rules(), zhangsan(), {"q_route": "o_old"}, item.cite_rule)
    assert [f.rule.id for f in found] == ["e_aged80"]
    assert found[0].message == "本事项要求年满80周岁（依据：重庆市经济困难的高龄失能老年人养老服务补贴实施办法），您的身份证显示您未满80周岁"


def test_an_81_year_old_with_a_dibao_licence_qualifies_and_without_it_does_not(catalog: Catalog) -> None:
    item = catalog.item(ELDERLY)
    elder = zhangsan(birth_date=dt.date(1945, 6, 8), licences=frozenset({"subsistence_allowance_certificate"}))
    answers = {"q_route": "o_old", "q_status": "o_dibao"}
    assert failures(item.eligibility_rules(), elder, answers, item.cite_rule) == []
    without = failures(item.eligibility_rules(), zhangsan(birth_date=dt.date(1945, 6, 8)), answers, item.cite_rule)
    assert [f.rule.id for f in without] == ["e_dibao"]


def test_rules_on_a_path_not_taken_are_not_checked_and_unknown_data_never_refuses(catalog: Catalog) -> None:
    item = catalog.item(ELDERLY)
    assert failures(item.eligibility_rules(), zhangsan(), {}, item.cite_rule) == []  # nothing answered yet
    unknown = Verified(terminal_district="500112", today=TODAY)
    assert failures(item.eligibility_rules(), unknown, {"q_route": "o_old", "q_status": "o_dibao"}, item.cite_rule) == []


def test_a_yubei_resident_is_refused_a_residence_permit_and_a_non_resident_is_not(catalog: Catalog) -> None:
    item = catalog.item(RESIDENCE_PERMIT)
    found = failures(item.eligibility_rules(), zhangsan(), {}, item.cite_rule)
    assert [f.rule.id for f in found] == ["e_nonlocal"]
    assert "《居住证暂行条例》（国务院令第663号）第二条" in found[0].message and "户籍在渝北区" in found[0].message
    outsider = zhangsan(household_district=None, household_in_city=False, household_name="")
    assert failures(item.eligibility_rules(), outsider, {}, item.cite_rule) == []


def test_identity_min_age_is_a_rule(catalog: Catalog) -> None:
    item = catalog.item(SENIOR_CARD)
    assert item.identity.min_age == 60
    found = failures(item.eligibility_rules(), zhangsan(), {"q_case": "o_local"}, item.cite_rule)
    assert [f.rule.id for f in found] == ["identity_min_age"]
    assert "申请人年满60周岁" in found[0].message and "未满60周岁" in found[0].message
    assert failures(item.eligibility_rules(), zhangsan(birth_date=dt.date(1960, 1, 1)), {"q_case": "o_local"}, item.cite_rule) == []


def test_an_answer_that_contradicts_verified_data_is_refused(catalog: Catalog) -> None:
    item = catalog.item(SENIOR_CARD)
    elder = zhangsan(birth_date=dt.date(1950, 1, 1))
    found = failures(item.eligibility_rules(), elder, {"q_case": "o_nonlocal"}, item.cite_rule)  # says 非本市户籍, 公安 says 渝北
    assert [f.rule.id for f in found] == ["e_nonlocal"] and "户籍在渝北区" in found[0].message


def test_marriage_age_depends_on_sex_and_a_married_person_is_refused(catalog: Catalog) -> None:
    item = catalog.item(MARRIAGE)
    young_man = zhangsan(birth_date=dt.date(2005, 1, 1), shared={"marital_status": "未婚"})
    assert [f.rule.id for f in failures(item.eligibility_rules(), young_man, {}, item.cite_rule)] == ["e_age"]
    young_woman = zhangsan(birth_date=dt.date(2005, 1, 1), sex="女", shared={"marital_status": "未婚"})
    assert failures(item.eligibility_rules(), young_woman, {}, item.cite_rule) == []
    married = failures(item.eligibility_rules(), zhangsan(), {}, item.cite_rule)
    assert [f.rule.id for f in married] == ["e_unmarried"] and "第一千零四十二条" in married[0].message


def test_three_valued_logic() -> None:
    v = Verified(sex="女", today=TODAY)
    age = Fact("age", {"min": 18})
    assert holds(age, v, {}) is None
    assert holds(Fact("any", (age, Fact("sex", ("女",)))), v, {}) is True
    assert holds(Fact("all", (age, Fact("sex", ("男",)))), v, {}) is False
    assert holds(Fact("not", age), v, {}) is None


# ----- 就地批办 only where lawful ----------------------------------------------------------------
def test_no_item_that_is_not_jiban_can_end_in_an_on_the_spot_decision(catalog: Catalog) -> None:
    accept = Routing("accept", "500112", "500112")
    proxy = Routing("proxy", "500112", "500103")
    immediate = []
    for item in catalog.items.values():
        for sit in item.situations:
            modes = sit.handling_modes or item.handling_modes
            for kind in ("idcard_face", "ykm", "sscard", "agent"):
                for routing in (accept, proxy):
                    handling = decide(item, modes, routing, kind)
                    assert handling.mode != "online"
                    if handling.mode == "on_site" or handling.immediate:
                        assert item.immediate_decision.allowed, (item.code, item.name)
                        assert routing.decision == "accept" and handling.mode == "on_site"
                        immediate.append(item.code)
    assert immediate  # some 即办件 are decided on the spot
    for name in ("教师资格认定", "居住证申领"):
        item = next(i for i in catalog.items.values() if i.name == name)
        assert decide(item, item.handling_modes, accept, "idcard_face").mode == "self_service"


def test_a_jiban_condition_on_the_person_is_not_met_by_an_agent(catalog: Catalog) -> None:
    item = next(i for i in catalog.items.values() if any("本人" in c for c in i.immediate_decision.conditions) and "on_site" in i.handling_modes)
    assert immediate_holds(item, "idcard_face")[0]
    assert not immediate_holds(item, "agent")[0]
    assert decide(item, item.handling_modes, Routing("accept", "500112", "500112"), "agent").mode != "on_site"


def test_the_screen_says_what_happens_next_in_plain_words(catalog: Catalog) -> None:
    item = catalog.item(RESIDENCE_PERMIT)
    handling = decide(item, item.handling_modes, Routing("accept", "500112", "500112"), "idcard_face")
    text = next_steps(item, handling, "500112", "渝北区", item.time_limits.promised, ("pickup",))
    assert text.startswith("材料将提交至渝北区公安机关（派出所）审核") and "结果将短信通知" in text
    assert item.time_limits.promised.kind != "working_days" or f"承诺{item.time_limits.promised.value}个工作日内办结" in text
