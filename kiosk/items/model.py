"""Typed, read-only view of an item configuration for the flow engine.

Built only from documents that passed schema and semantic validation (``kiosk.items.loader``), so
constructors trust their input and the engine never re-checks references. Everything is frozen:
one catalog object is shared by all sessions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.items.conditions import Condition, ConditionContext
from kiosk.items.eligibility import EligibilityRule, min_age_rule
from kiosk.items.facts import FactSource, ImmediateDecision
from kiosk.items.vocab import ELICENSE_TYPES, HANDLING_MODES


@dataclass(frozen=True)
class Basis:
    id: str
    title: str
    document_number: str | None = None
    articles: tuple[str, ...] = ()
    kind: str | None = None
    note: str | None = None

    def cite(self, clause: str | None = None) -> str:
        """Human citation for a rejection, e.g. 《居住证暂行条例》第九条."""
        parts = [self.title]
        if self.document_number:
            parts.append(f"（{self.document_number}）")
        if clause:
            parts.append(clause)
        return "".join(parts)


@dataclass(frozen=True)
class TimeLimit:
    kind: str  # immediate | working_days | days | unknown
    value: int | None = None
    extended_max: int | None = None
    basis_ref: str | None = None
    note: str | None = None

    def label(self) -> str:
        if self.kind == "immediate":
            return "即办"
        if self.kind == "working_days":
            return f"{self.value}个工作日"
        if self.kind == "days":
            return f"{self.value}日"
        return "以办事指南为准"


@dataclass(frozen=True)
class TimeLimits:
    statutory: TimeLimit
    promised: TimeLimit


@dataclass(frozen=True)
class Fee:
    name: str
    amount_yuan: float | None = None
    note: str | None = None
    situation: str | None = None  # None: applies to every situation


@dataclass(frozen=True)
class Fees:
    free: bool | None  # None: not known from sources
    items: tuple[Fee, ...] = ()
    note: str | None = None

    def for_situation(self, sid: str) -> tuple[Fee, ...]:
        """The fees a receipt shows for one situation (e.g. 补领 pays, 首次申领 does not)."""
        return tuple(f for f in self.items if f.situation in (None, sid))


@dataclass(frozen=True)
class Jurisdiction:
    acceptance: str  # any_district (全渝通办) | restricted
    handling_district: str
    accept_in: tuple[str, ...] = ()
    district_source: str | None = None
    tongban: tuple[str, ...] = ()
    note: str | None = None

    @property
    def any_district(self) -> bool:
        return self.acceptance == "any_district"


@dataclass(frozen=True)
class AgentRule:
    authorization_material: str
    principal_fields: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Identity:
    methods: tuple[str, ...]
    agent: AgentRule | None = None
    min_age: int | None = None


@dataclass(frozen=True)
class GuideOption:
    id: str
    label: str
    next: str | None = None
    situation: str | None = None


@dataclass(frozen=True)
class GuideQuestion:
    id: str
    text: str
    options: tuple[GuideOption, ...]
    help: str | None = None

    def option(self, option_id: str) -> GuideOption:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(f"question {self.id} has no option {option_id}")


@dataclass(frozen=True)
class SelectOption:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    required: bool = True
    required_when: Condition | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    not_future: bool = False
    options: tuple[SelectOption, ...] = ()
    prefill: str | None = None
    editable: bool = True
    personal: bool = False
    hint: str | None = None


@dataclass(frozen=True)
class Check:
    kind: str
    value: float | None = None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejection:
    message: str
    basis_ref: str
    clause: str | None = None


@dataclass(frozen=True)
class ReviewPoint:
    id: str
    description: str
    check: Check
    rejection: Rejection

    @property
    def mechanical(self) -> bool:
        """True if the terminal can check it locally; ``manual`` points go to the back office."""
        return self.check.kind != "manual"


@dataclass(frozen=True)
class Material:
    id: str
    name: str
    originals: int
    copies: int
    capture: tuple[str, ...]
    description: str | None = None
    form: str | None = None
    required: bool = True
    required_when: Condition | None = None
    elicense: str | None = None
    blank_form: str | None = None
    review_points: tuple[ReviewPoint, ...] = ()
    holder: str | None = None  # applicant | agent | other: whose document (an ID read from the chip satisfies its holder's)

    @property
    def elicense_label(self) -> str | None:
        return ELICENSE_TYPES.get(self.elicense) if self.elicense else None

    def needed(self, ctx: ConditionContext) -> bool:
        """Whether this material must be provided in the given session context."""
        if self.required_when is not None:
            return self.required_when.evaluate(ctx)
        return self.required


@dataclass(frozen=True)
class Situation:
    id: str
    name: str
    fields: tuple[str, ...]
    materials: tuple[str, ...]
    description: str | None = None
    conditions: tuple[str, ...] = ()
    handling_modes: tuple[str, ...] = ()
    time_limits: Mapping[str, TimeLimit] = field(default_factory=dict)
    kiosk_supported: bool = True


@dataclass(frozen=True)
class Signature:
    required: bool
    signers: tuple[str, ...] = ()
    statement: str | None = None


@dataclass(frozen=True)
class Delivery:
    method: str
    fee_yuan: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Templates:
    receipt: str
    notice: str
    certificate: str | None = None


@dataclass(frozen=True)
class Item:
    """One 事项. Lookups by id go through the helpers; tuples keep config order for screens."""

    code: str
    basic_code: str
    code_status: str
    name: str
    department: str
    category: str
    item_type: str
    handling_modes: tuple[str, ...]
    jurisdiction: Jurisdiction
    conditions: tuple[str, ...]
    basis: tuple[Basis, ...]
    time_limits: TimeLimits
    fees: Fees
    identity: Identity
    start_question: str
    questions: tuple[GuideQuestion, ...]
    situations: tuple[Situation, ...]
    fields: tuple[FormField, ...]
    materials: tuple[Material, ...]
    signature: Signature
    delivery: tuple[Delivery, ...]
    templates: Templates
    source_file: str = ""
    short_name: str | None = None
    aliases: tuple[str, ...] = ()
    implementation_code: str | None = None
    handling_body: str | None = None
    immediate_decision: ImmediateDecision = ImmediateDecision(False, "未标注：按承诺件受理")
    provenance: Mapping[str, FactSource] = field(default_factory=dict)  # code / basis / time_limits / fees / immediate_decision
    eligibility: tuple[EligibilityRule, ...] = ()  # 申请条件 the terminal can check (kiosk.items.eligibility)

    def eligibility_rules(self) -> tuple[EligibilityRule, ...]:
        """The item's rules plus ``identity.min_age`` as one more rule (cited on the item's first basis)."""
        if self.identity.min_age is None:
            return self.eligibility
        return (min_age_rule(self.identity.min_age, self.basis[0].id), *self.eligibility)

    def cite_rule(self, rule: EligibilityRule) -> str:
        """《…》第N条 for a refusal; the clause of the rule, else the basis' articles."""
        basis = self.basis_by_id(rule.basis_ref)
        return basis.cite(rule.clause or ("、".join(basis.articles) or None))

    def question(self, qid: str) -> GuideQuestion:
        return _find(self.questions, qid, "question", self.code)

    def situation(self, sid: str) -> Situation:
        return _find(self.situations, sid, "situation", self.code)

    def field(self, fid: str) -> FormField:
        return _find(self.fields, fid, "field", self.code)

    def material(self, mid: str) -> Material:
        return _find(self.materials, mid, "material", self.code)

    def basis_by_id(self, bid: str) -> Basis:
        return _find(self.basis, bid, "basis", self.code)

    def situation_fields(self, sid: str) -> tuple[FormField, ...]:
        return tuple(self.field(f) for f in self.situation(sid).fields)

    def situation_materials(self, sid: str, ctx: ConditionContext | None = None) -> tuple[Material, ...]:
        """The exact material list for a situation; with ``ctx``, conditional ones are filtered.

        When the applicant is an agent (代办), the item's authorization material is always part of
        the list, even if a situation forgot to name it: an agent never proceeds without it.
        """
        ids = list(self.situation(sid).materials)
        agent = self.identity.agent
        if ctx is not None and ctx.identity == "agent" and agent and agent.authorization_material not in ids:
            ids.append(agent.authorization_material)
        mats = tuple(self.material(m) for m in ids)
        if ctx is None:
            return mats
        auth = agent.authorization_material if agent and ctx.identity == "agent" else None
        return tuple(m for m in mats if m.needed(ctx) or m.id == auth)

    def time_limits_for(self, sid: str) -> TimeLimits:
        """Item time limits with the situation's overrides applied."""
        over = self.situation(sid).time_limits
        return TimeLimits(statutory=over.get("statutory", self.time_limits.statutory),
                          promised=over.get("promised", self.time_limits.promised))

    def resolve(self, answers: Mapping[str, str]) -> Situation | None:
        """Walk the guide tree from ``start_question`` with ``answers``; None if incomplete."""
        qid: str | None = self.start_question
        while qid is not None:
            chosen = answers.get(qid)
            if chosen is None:
                return None
            opt = self.question(qid).option(chosen)
            if opt.situation:
                return self.situation(opt.situation)
            qid = opt.next
        return None

    def mode_labels(self) -> tuple[str, ...]:
        return tuple(HANDLING_MODES[m] for m in self.handling_modes)


@dataclass(frozen=True)
class LifeEventMember:
    id: str
    item: str
    situation: str | None = None
    optional: bool = False
    depends_on: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class SharedField:
    id: str
    label: str
    type: str
    maps_to: Mapping[str, str]
    prefill: str | None = None


@dataclass(frozen=True)
class SharedMaterial:
    """Captured once, attached to every mapped member (e.g. the parent's ID card)."""

    id: str
    name: str
    maps_to: Mapping[str, str]


@dataclass(frozen=True)
class LifeEvent:
    """一件事: members run in order under one identity, shared fields typed once, one receipt."""

    code: str
    name: str
    category: str
    department: str
    members: tuple[LifeEventMember, ...]
    identity_methods: tuple[str, ...]
    shared_fields: tuple[SharedField, ...]
    receipt_template: str
    notice_template: str
    shared_materials: tuple[SharedMaterial, ...] = ()
    conditions: tuple[str, ...] = ()
    description: str | None = None
    source_file: str = ""


def _find(seq: tuple[Any, ...], key: str, what: str, code: str) -> Any:
    for obj in seq:
        if obj.id == key:
            return obj
    raise KeyError(f"item {code} has no {what} {key!r}")
