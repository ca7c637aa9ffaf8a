"""Model helpers the flow engine relies on: conditions, agent materials, time limits, routing."""

from __future__ import annotations

import pytest

from kiosk.content import items_dir
from kiosk.items import Condition, ConditionContext, load_catalog, route

CATALOG = items_dir()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CATALOG)


def test_condition_language():
    cond = Condition.parse({"all": [{"identity": ["agent"]}, {"not": {"field": {"id": "x", "in": ["a"]}}},
                                    {"any": [{"answer": {"question": "q", "in": ["o1"]}}, {"delivery": ["post"]}]}]})
    assert cond.evaluate(ConditionContext(answers={"q": "o1"}, fields={"x": "b"}, identity="agent"))
    assert not cond.evaluate(ConditionContext(answers={"q": "o1"}, fields={"x": "a"}, identity="agent"))
    assert not cond.evaluate(ConditionContext(answers={"q": "o2"}, fields={"x": "b"}, identity="agent", delivery="pickup"))
    assert cond.evaluate(ConditionContext(answers={"q": "o2"}, fields={"x": "b"}, identity="agent", delivery="post"))


def test_agent_always_gets_authorization_material(catalog):
    item = catalog.item("00010900300001")  # 无犯罪记录证明: 本人 situations do not list the 委托书
    sit = item.resolve({"q_who": "o_self", "q_purpose": "o_job"})
    own = [m.id for m in item.situation_materials(sit.id, ConditionContext(identity="idcard_face", fields={"times_this_year": "le3"}))]
    assert own == ["idcard"]
    agent = [m.id for m in item.situation_materials(sit.id, ConditionContext(identity="agent", fields={"times_this_year": "gt3"}))]
    assert agent == ["idcard", "purpose_proof", "authorization"]


def test_time_limit_override_and_labels(catalog):
    item = catalog.item("00010900100001")  # 居住证: 15 days statutory, extendable to 30
    limits = item.time_limits_for("s_employment")
    assert limits.statutory.label() == "15日" and limits.statutory.extended_max == 30
    assert item.basis_by_id(limits.statutory.basis_ref).document_number == "国务院令第663号"


def test_route_any_district_handles_locally_or_forwards(catalog):
    unemployment = catalog.item("00011300100001")  # 全渝通办, handled where received
    assert route(unemployment, "500106", {"household": "500230"}).decision == "accept"
    offsite = catalog.item("00011500200001")  # any district accepts, insured district handles
    r = route(offsite, "500106", {"insured": "500112"})
    assert (r.decision, r.handling_district) == ("proxy", "500112")
    assert route(offsite, "500112", {"insured": "500112"}).decision == "accept"
    assert route(offsite, "500106", {}).decision == "refuse"


def test_route_restricted_item(catalog):
    subsidy = catalog.item("00012500100001")  # 户籍地 only, 异地代收代办 allowed
    assert route(subsidy, "500230", {"household": "500230"}).decision == "accept"
    r = route(subsidy, "500106", {"household": "500230"})
    assert (r.decision, r.handling_district) == ("proxy", "500230")
    permit = catalog.item("00010900100001")  # 居住证: residence district; proxy allowed
    assert route(permit, "500106", {"residence": "500106"}).decision == "accept"
    teacher = catalog.item("00010700100001")  # no proxy mode: refused elsewhere
    assert route(teacher, "500106", {"household": "500230"}, ("on_site",)).decision == "refuse"


def test_city_level_item_has_no_district(catalog):
    fund = catalog.item("00012700100001")
    r = route(fund, "500106", {})
    assert r.decision == "accept" and r.handling_district == "500000"
