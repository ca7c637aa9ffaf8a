"""Eligibility as data: an item's 申请条件 as rules over verified data and the citizen's answers.

Why: a condition the terminal can check (age and sex from the ID number, 户籍 from shared data,
低保 from the licence register, the card used) must stop an application before the form, with the
condition, its basis and what the verified data shows — not after form, materials and signature.
Pure: the flow gathers ``Verified`` once after identification; this module only decides.

Rule document: ``{"id", "text", "basis_ref", "clause"?, "when"?: condition, "require": fact}``;
facts: ``{"age": {"min"?, "max"?}}``, ``{"sex": ["男"]}``, ``{"household": "city" | "terminal"}``,
``{"licence": type}``, ``{"shared": {"key", "in"}}``, ``{"identity": [methods]}``, ``{"answer": …}``,
``{"all"|"any": [facts]}``, ``{"not": fact}``. Unknown data (a manually typed principal, shared data
down) never refuses: the rule stays for the back office to check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.items.conditions import Condition, ConditionContext

CITY_PREFIX = "50"  # 重庆市 administrative division codes


@dataclass(frozen=True)
class Fact:
    """One node of the fact language (see the module docstring)."""

    op: str
    arg: Any

    @staticmethod
    def parse(doc: Mapping[str, Any]) -> Fact:
        ((op, arg),) = doc.items()
        if op in ("all", "any"):
            arg = tuple(Fact.parse(f) for f in arg)
        elif op == "not":
            arg = Fact.parse(arg)
        elif op == "answer":
            arg = Condition.parse({"answer": arg})
        elif op in ("sex", "identity"):
            arg = tuple(arg)
        elif op == "shared":
            arg = {"key": arg["key"], "in": tuple(arg["in"])}
        return Fact(op, arg)


@dataclass(frozen=True)
class EligibilityRule:
    id: str
    text: str  # the condition as the guide states it, e.g. 年满80周岁
    require: Fact
    basis_ref: str
    clause: str | None = None
    when: Condition | None = None  # only on this path of the guide (e.g. the 高龄 option)


@dataclass(frozen=True)
class Verified:
    """What the terminal knows for sure about the person the application is for."""

    birth_date: dt.date | None = None
    sex: str | None = None
    household_district: str | None = None  # 6-digit code, from 公安 shared data
    household_in_city: bool | None = None  # 重庆市户籍 (also known for a non-Chongqing address with no district code)
    household_name: str = ""
    terminal_district: str = ""
    identity_kind: str | None = None
    licences: frozenset[str] | None = None  # None: the licence register was not asked / not reachable
    shared: Mapping[str, Any] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def age(self) -> int | None:
        if self.birth_date is None:
            return None
        b, t = self.birth_date, self.today
        return t.year - b.year - ((t.month, t.day) < (b.month, b.day))


@dataclass(frozen=True)
class Failure:
    rule: EligibilityRule
    citation: str  # 《…》第九条
    evidence: str  # what the verified data shows, e.g. 您的身份证显示您未满80周岁

    @property
    def message(self) -> str:
        basis = f"（依据：{self.citation}）" if self.citation else ""
        return f"本事项要求{self.rule.text}{basis}，{self.evidence}"


def holds(fact: Fact, v: Verified, answers: Mapping[str, str]) -> bool | None:
    """Three-valued: True, False, or None when the data needed is not known."""
    if fact.op in ("all", "any"):
        results = [holds(f, v, answers) for f in fact.arg]
        if fact.op == "all":
            return False if False in results else (None if None in results else True)
        return True if True in results else (None if None in results else False)
    if fact.op == "not":
        inner = holds(fact.arg, v, answers)
        return None if inner is None else not inner
    if fact.op == "answer":
        return bool(fact.arg.evaluate(ConditionContext(answers=answers)))
    if fact.op == "age":
        age = v.age
        if age is None:
            return None
        return age >= fact.arg.get("min", 0) and age <= fact.arg.get("max", 200)
    if fact.op == "sex":
        return None if not v.sex else v.sex in fact.arg
    if fact.op == "household":
        if fact.arg == "terminal":
            return None if not v.household_district else v.household_district == v.terminal_district
        if v.household_in_city is not None:
            return v.household_in_city
        return None if not v.household_district else v.household_district.startswith(CITY_PREFIX)
    if fact.op == "licence":
        return None if v.licences is None else fact.arg in v.licences
    if fact.op == "shared":
        value = v.shared.get(fact.arg["key"])
        return None if value in (None, "") else value in fact.arg["in"]
    if fact.op == "identity":
        return None if v.identity_kind is None else v.identity_kind in fact.arg
    raise ValueError(f"unknown eligibility fact {fact.op!r}")


def evidence(fact: Fact, v: Verified) -> str:
    """What the verified data shows, for the refusal (names the source, never the ID number)."""
    if fact.op == "age":
        low, high = fact.arg.get("min"), fact.arg.get("max")
        age = v.age or 0
        if low is not None and age < low:
            return f"您的身份证显示您未满{low}周岁"
        return f"您的身份证显示您已超过{high}周岁"
    if fact.op == "sex":
        return f"您的身份证显示性别为{v.sex}"
    if fact.op == "household":
        where = v.household_name or "户籍地"
        return f"公安户籍信息显示您的户籍在{where}"
    if fact.op == "licence":
        return "共享数据中未查到您的相应证照（如低保证）"
    if fact.op == "shared":
        return f"共享数据显示为“{v.shared.get(fact.arg['key'])}”"
    if fact.op == "identity":
        return "您本次使用的核验方式不适用"
    if fact.op == "answer":
        return "您选择的情形不符合"
    if fact.op in ("all", "any", "not"):
        parts = [evidence(f, v) for f in (fact.arg if fact.op != "not" else (fact.arg,))]
        return "；".join(dict.fromkeys(parts)) if fact.op != "not" else _negated(fact.arg, v)
    return "核验数据不符合"


def _negated(fact: Fact, v: Verified) -> str:
    if fact.op == "household":
        where = v.household_name or ("本区" if fact.arg == "terminal" else "重庆市")
        return f"公安户籍信息显示您的户籍在{where}"
    return evidence(fact, v)


def failures(rules: tuple[EligibilityRule, ...], v: Verified, answers: Mapping[str, str], cite: Any = None) -> list[Failure]:
    """Rules that fail for sure. ``when`` paths not yet answered are skipped; ``cite(rule)`` gives the citation."""
    out: list[Failure] = []
    for rule in rules:
        if rule.when is not None and not rule.when.evaluate(ConditionContext(answers=answers)):
            continue
        if holds(rule.require, v, answers) is False:
            out.append(Failure(rule, cite(rule) if cite else "", evidence(rule.require, v)))
    return out


def parse_rules(docs: list[dict[str, Any]]) -> tuple[EligibilityRule, ...]:
    return tuple(EligibilityRule(d["id"], d["text"], Fact.parse(d["require"]), d["basis_ref"], d.get("clause"),
                                 Condition.parse(d.get("when"))) for d in docs)


def min_age_rule(min_age: int, basis_ref: str) -> EligibilityRule:
    """``identity.min_age`` as an ordinary rule, so one evaluator checks it."""
    return EligibilityRule("identity_min_age", f"申请人年满{min_age}周岁", Fact("age", {"min": min_age}), basis_ref)
