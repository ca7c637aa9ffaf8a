"""What a flow asks for: members (one item, or a 一件事 (life event)'s items), questions, fields, materials.

Pure functions of the catalog and the answers so far, so the controller, crash recovery and tests
compute the same plan. Keys: a single item uses plain ids (``phone``); a life event qualifies member
ids (``birth_reg.phone``) and shared fields/materials are ``shared.<id>``, typed or captured once
and copied to every member they map to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.items.conditions import ConditionContext
from kiosk.items.loader import Catalog
from kiosk.items.model import FormField, GuideQuestion, Item, LifeEvent, Material, Situation


@dataclass(frozen=True)
class Member:
    id: str
    item: Item
    situation: str | None = None  # fixed by the life event; None: from the guide answers


@dataclass(frozen=True)
class PlanField:
    key: str
    spec: FormField
    targets: tuple[tuple[str, str], ...]  # (member id, item field id) receiving the value


@dataclass(frozen=True)
class PlanMaterial:
    key: str
    material: Material
    item: Item  # whose basis a rejection cites
    targets: tuple[tuple[str, str], ...]  # (member id, item material id)


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    members: tuple[Member, ...]
    life_event: LifeEvent | None = None
    identity_methods: tuple[str, ...] = field(default=())

    @property
    def single(self) -> bool:
        return self.life_event is None

    def key(self, member: Member, local: str) -> str:
        return local if self.single else f"{member.id}.{local}"

    def member(self, member_id: str) -> Member:
        return next(m for m in self.members if m.id == member_id)


def plan_for(catalog: Catalog, code: str) -> Plan:
    if code in catalog.life_events:
        life_event = catalog.life_event(code)
        members = tuple(Member(m.id, catalog.item(m.item), m.situation) for m in life_event.members)
        return Plan(code, life_event.name, members, life_event, life_event.identity_methods)
    item = catalog.item(code)
    return Plan(code, item.name, (Member(item.code, item),), None, item.identity.methods)


def situation(member: Member, answers: Mapping[str, Mapping[str, str]]) -> Situation | None:
    if member.situation:
        return member.item.situation(member.situation)
    return member.item.resolve(answers.get(member.id, {}))


def next_question(plan: Plan, answers: Mapping[str, Mapping[str, str]]) -> tuple[Member, GuideQuestion] | None:
    """The first unanswered question on any member's path; None when every situation is known."""
    for member in plan.members:
        if member.situation:
            continue
        mine = answers.get(member.id, {})
        qid: str | None = member.item.start_question
        while qid is not None:
            question = member.item.question(qid)
            chosen = mine.get(qid)
            if chosen is None:
                return member, question
            option = question.option(chosen)
            if option.situation:
                break
            qid = option.next
    return None


def context(member: Member, answers: Mapping[str, Mapping[str, str]], values: Mapping[str, str], plan: Plan,
            identity: str | None, delivery: str | None) -> ConditionContext:
    local = {f: values.get(plan.key(member, f), "") for f in (s.id for s in member.item.fields)}
    for shared in (plan.life_event.shared_fields if plan.life_event else ()):
        if member.id in shared.maps_to:
            local[shared.maps_to[member.id]] = values.get(f"shared.{shared.id}", "")
    return ConditionContext(answers.get(member.id, {}), local, identity, delivery)


def fields(plan: Plan, answers: Mapping[str, Mapping[str, str]]) -> tuple[PlanField, ...]:
    out: list[PlanField] = []
    covered: set[tuple[str, str]] = set()
    if plan.life_event:
        for shared in plan.life_event.shared_fields:
            targets = tuple((m, f) for m, f in shared.maps_to.items() if _has_field(plan, answers, m, f))
            if not targets:
                continue
            first = plan.member(targets[0][0]).item.field(targets[0][1])
            spec = FormField(shared.id, shared.label, shared.type, required=True, prefill=shared.prefill or first.prefill,
                             options=first.options, pattern=first.pattern, not_future=first.not_future)
            out.append(PlanField(f"shared.{shared.id}", spec, targets))
            covered.update(targets)
    for member in plan.members:
        found = situation(member, answers)
        if found is None:
            continue
        for spec in member.item.situation_fields(found.id):
            if (member.id, spec.id) not in covered:
                out.append(PlanField(plan.key(member, spec.id), spec, ((member.id, spec.id),)))
    return tuple(out)


def _has_field(plan: Plan, answers: Mapping[str, Mapping[str, str]], member_id: str, field_id: str) -> bool:
    found = situation(plan.member(member_id), answers)
    return found is not None and field_id in found.fields


def materials(plan: Plan, answers: Mapping[str, Mapping[str, str]], values: Mapping[str, str], identity: str | None,
              delivery: str | None) -> tuple[tuple[PlanMaterial, bool], ...]:
    """(material, needed) in screen order; shared life-event materials once, before the members' own."""
    per_member: list[tuple[Member, Material, bool]] = []
    for member in plan.members:
        found = situation(member, answers)
        if found is None:
            continue
        ctx = context(member, answers, values, plan, identity, delivery)
        needed = member.item.situation_materials(found.id, ctx)  # in 代办 this adds the written authorization
        needed_ids = {m.id for m in needed}
        listed = list(member.item.situation_materials(found.id))
        listed += [m for m in needed if m not in listed]
        per_member += [(member, material, material.id in needed_ids) for material in listed]
    out: list[tuple[PlanMaterial, bool]] = []
    covered: set[tuple[str, str]] = set()
    for shared in (plan.life_event.shared_materials if plan.life_event else ()):
        hits = [(mm, m, need) for mm, m, need in per_member if shared.maps_to.get(mm.id) == m.id]
        if not hits:
            continue
        first_member, first, _ = hits[0]
        merged = Material(shared.id, shared.name, first.originals, first.copies, first.capture, first.description, first.form,
                          True, None, first.elicense, first.blank_form, first.review_points)
        out.append((PlanMaterial(f"shared.{shared.id}", merged, first_member.item, tuple((mm.id, m.id) for mm, m, _ in hits)),
                    any(need for _, _, need in hits)))
        covered.update((mm.id, m.id) for mm, m, _ in hits)
    for member, material, need in per_member:
        if (member.id, material.id) not in covered:
            out.append((PlanMaterial(plan.key(member, material.id), material, member.item, ((member.id, material.id),)), need))
    return tuple(out)
