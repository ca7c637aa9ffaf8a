"""Eligibility in the flow: gather verified data once, evaluate every member's rules, word the refusal.

Why apart from ``itemflow``: the same check runs right after identification, after each guide answer
and again before submit (``SubmitStep``); each asks this module. The rules themselves are pure
(``kiosk.items.eligibility``); this module only turns a session into ``Verified``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from kiosk.errors import PlatformError
from kiosk.flows import plan as P
from kiosk.flows.form import applicant_districts
from kiosk.flows.record import FlowRecord
from kiosk.flows.viewmodels import Action
from kiosk.identity.gb11643 import birth_date
from kiosk.items.eligibility import CITY_PREFIX, Fact, Failure, Verified, failures
from kiosk.items.licences import PLATFORM_LICENSE_TYPES
from kiosk.terminal.platform.client import PlatformClient

log = logging.getLogger(__name__)
_NOT_MAINLAND = ("81", "82", "83")  # 港澳台居民居住证 numbers: no 户籍 in Chongqing


async def verified(plan: P.Plan, record: FlowRecord, client: PlatformClient, terminal_district: str,
                   districts: Mapping[str, str], today: dt.date | None = None) -> Verified:
    """The facts about the person the application is for (the principal when 代办), from the ID and the platform."""
    identity = record.identity
    principal = record.principal if record.agent and record.principal.get("id_number") else None
    if record.agent and principal is None:
        return Verified(terminal_district=terminal_district, identity_kind=record.identity_kind, today=today or dt.date.today())
    person = principal or (identity.person if identity else {})
    shared = {} if principal or identity is None else identity.shared
    number = person.get("id_number", "")
    born = birth_date(number) if number else None
    if born is None and person.get("birth_date"):
        try:
            born = dt.date.fromisoformat(person["birth_date"])
        except ValueError:
            born = None
    sex = person.get("sex") or (("男" if int(number[16]) % 2 else "女") if len(number) == 18 and number[16].isdigit() else None)
    household = applicant_districts(identity, principal, districts, {}).get("household") or None
    address = str(shared.get("household_address") or person.get("address") or "")
    in_city: bool | None = None
    if household:
        in_city = household.startswith(CITY_PREFIX)
    elif address:
        in_city = address.startswith("重庆")
    elif number[:2] in _NOT_MAINLAND:
        in_city = False
    licences = await _licences(plan, client, identity.person_token if identity and not principal else "")
    return Verified(born, sex, household, in_city, districts.get(household or "", ""), terminal_district, record.identity_kind,
                    licences, shared, today or dt.date.today())


def refusals(plan: P.Plan, record: FlowRecord, facts: Verified) -> list[Failure]:
    """Every rule that fails for sure, over all members (each with its own guide answers)."""
    out: list[Failure] = []
    for member in plan.members:
        answers = record.answers.get(member.id, {})
        out += failures(member.item.eligibility_rules(), facts, answers, member.item.cite_rule)
    return out


def refusal_text(found: list[Failure]) -> str:
    return f"{found[0].message}，暂不能在本终端申请。如有疑问可咨询窗口工作人员。"


def refusal_view(found: list[Failure]) -> tuple[str, str, tuple[Action, ...]]:
    """Text, level and actions of the refusal screen: an answer-made refusal lets the citizen choose again."""
    log.info("not eligible: %s", ", ".join(f.rule.id for f in found))
    if any(f.rule.when is not None for f in found):
        return refusal_text(found), "warning", (Action("back", "重新选择", True), Action("cancel", "退出"))
    return refusal_text(found), "warning", (Action("cancel", "退出", True), Action("centres", "附近网点"))


async def _licences(plan: P.Plan, client: PlatformClient, person_token: str) -> frozenset[str] | None:
    wanted = {f.arg for m in plan.members for rule in m.item.eligibility for f in _facts(rule.require) if f.op == "licence"}
    if not wanted or not person_token:
        return None
    try:
        held = {s.type_code for s in await client.list_licenses(person_token)}
    except PlatformError as exc:
        log.warning("licence register unavailable (%s): licence rules left to the back office", type(exc).__name__)
        return None
    return frozenset(t for t in wanted if PLATFORM_LICENSE_TYPES.get(t) in held)


def _facts(fact: Fact) -> list[Fact]:
    if fact.op in ("all", "any"):
        return [x for f in fact.arg for x in _facts(f)]
    if fact.op == "not":
        return _facts(fact.arg)
    return [fact]
