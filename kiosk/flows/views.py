"""View-model builders for the item flow: record + plan in, frozen snapshot out (no side effects).

Kept apart from the controller so the controller stays about decisions; each builder also writes
the sentence elder mode speaks for the step.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.flows import plan as P
from kiosk.flows.form import field_vm
from kiosk.flows.identify import masked
from kiosk.flows.materials import material_vm
from kiosk.flows.record import FlowRecord
from kiosk.flows.viewmodels import (
    ConfirmVM,
    FormVM,
    GuideVM,
    IdentifyVM,
    MaterialsVM,
    NoticeVM,
    Option,
    SignatureVM,
    SummaryRow,
)
from kiosk.items.vocab import DELIVERY_METHODS, HANDLING_MODES, IDENTITY_METHODS
from kiosk.privacy import mask_bank_account, mask_id_number, mask_phone

_SPEAK_METHOD = {"idcard_face": "请选择身份核验方式。可以刷身份证，也可以出示渝快码或插入社保卡。"}


def identify_vm(plan: P.Plan, record: FlowRecord, elder: bool, phase: str = "choose", guidance: str = "", error: str = "",
                preview: bytes | None = None) -> IdentifyVM:
    methods = tuple(Option(m, IDENTITY_METHODS[m]) for m in plan.identity_methods if m != "agent")
    role = "principal" if phase == "principal" else ("agent" if record.agent else "applicant")
    speak = error or guidance or _SPEAK_METHOD["idcard_face"]
    return IdentifyVM(elder_mode=elder, speak=speak, title="身份核验" if not record.agent else "代办：代理人身份核验", item_name=plan.name,
                      methods=methods, phase=phase, role=role, guidance=guidance, preview_jpeg=preview, error=error,  # type: ignore[arg-type]
                      identified_name=masked(record.identity), item_code=record.code,
                      can_agent="agent" in plan.identity_methods and not record.agent and record.identity is None)


def guide_vm(plan: P.Plan, record: FlowRecord, member: P.Member, question_id: str, elder: bool) -> GuideVM:
    question = member.item.question(question_id)
    chosen = tuple(SummaryRow(plan.member(mid).item.question(q).text, plan.member(mid).item.question(q).option(o).label)
                   for mid, answers in record.answers.items() for q, o in answers.items())
    total = len(chosen) + 1 + (1 if any(o.next for o in question.options) else 0)
    options = tuple(Option(o.id, o.label) for o in question.options)
    speak = question.text + "。" + "，".join(o.label for o in question.options)
    title = plan.name if plan.single else f"{plan.name}：{member.item.name}"
    return GuideVM(elder_mode=elder, speak=speak, title=title, can_back=bool(chosen), item_name=plan.name, question_id=question.id,
                   question=question.text, options=options, help=question.help or "", step=len(chosen) + 1, total=total, chosen=chosen)


def notice_vm(plan: P.Plan, record: FlowRecord, elder: bool, printed: bool = False, print_error: str = "") -> NoticeVM:
    names = []
    limits = []
    for member in plan.members:
        found = P.situation(member, record.answers)
        if found is not None:
            names.append(found.name)
            limits.append(member.item.time_limits_for(found.id).promised.label())
    rows = tuple(SummaryRow(pm.material.name, _material_line(pm, needed), "material")
                 for pm, needed in P.materials(plan, record.answers, record.values, record.identity_kind, record.delivery or None))
    conditions = plan.life_event.conditions if plan.life_event else plan.members[0].item.conditions
    fees = "不收费" if all(m.item.fees.free for m in plan.members) else "以办事指南为准"
    speak = f"您需要准备{sum(1 for r in rows if '可选' not in r.value)}项材料。能用电子证照的不用再交纸质材料。"
    return NoticeVM(elder_mode=elder, speak=speak, title="一次性告知", can_back=True, item_name=plan.name, situation="；".join(names),
                    materials=rows, conditions=tuple(conditions), time_limit="；".join(dict.fromkeys(limits)), fees=fees,
                    printed=printed, print_error=print_error)


def _material_line(pm: P.PlanMaterial, needed: bool) -> str:
    parts = [f"原件{pm.material.originals}份" if pm.material.originals else "", f"复印件{pm.material.copies}份" if pm.material.copies else ""]
    if pm.material.elicense_label:
        parts.append(f"可用电子证照（{pm.material.elicense_label}）免提交")
    if not needed:
        parts.append("可选")
    return "，".join(p for p in parts if p)


def form_vm(plan: P.Plan, record: FlowRecord, fields: tuple[P.PlanField, ...], errors: Mapping[str, str], districts: Mapping[str, str],
            elder: bool, error: str = "") -> FormVM:
    vms = []
    for pf in fields:
        member = plan.member(pf.targets[0][0])
        ctx = P.context(member, record.answers, record.values, plan, record.identity_kind, record.delivery or None)
        from kiosk.flows.form import required

        vms.append(field_vm(pf.spec, record.values.get(pf.key, ""), pf.key in record.prefilled, errors.get(pf.key, ""),
                            required(pf.spec, ctx), districts))
        vms[-1] = type(vms[-1])(**{**vms[-1].__dict__, "id": pf.key})
    missing = [v for v in vms if v.required and not v.value]
    speak = error or ("请核对已自动填写的信息" + (f"，还需填写{missing[0].label}" if missing else "，无误请点下一步"))
    return FormVM(elder_mode=elder, speak=speak, title="填写信息", can_back=True, item_name=plan.name, fields=tuple(vms),
                  focus=missing[0].id if missing else None, can_next=not errors and not missing, error=error)


def materials_vm(plan: P.Plan, record: FlowRecord, listed: tuple[tuple[P.PlanMaterial, bool], ...], licenses: Mapping[str, bool], elder: bool,
                 active: str | None = None, preview: bytes | None = None) -> MaterialsVM:
    from kiosk.flows.materials import Provided

    vms = tuple(material_vm(pm.material, record.provided.get(pm.key, Provided()), licenses.get(pm.key, False), needed)
                for pm, needed in listed)
    vms = tuple(type(v)(**{**v.__dict__, "id": pm.key}) for v, (pm, _) in zip(vms, listed, strict=True))
    pending = [v for v, (_, needed) in zip(vms, listed, strict=True) if needed and v.status in ("pending", "rejected")]
    if pending and pending[0].status == "rejected":
        speak = f"{pending[0].name}未通过审核：{pending[0].rejection}。请重新提交。"
    elif pending:
        speak = f"请提交{pending[0].name}" + ("，可以直接使用电子证照" if any(s.id == "elicense" for s in pending[0].sources) else "")
    else:
        speak = "材料已齐全，请点下一步"
    return MaterialsVM(elder_mode=elder, speak=speak, title="提交材料", can_back=True, item_name=plan.name, materials=vms,
                       active=active or (pending[0].id if pending else None), preview_jpeg=preview, can_next=not pending)


def signature_vm(plan: P.Plan, record: FlowRecord, elder: bool, error: str = "") -> SignatureVM:
    statements = [m.item.signature.statement for m in plan.members if m.item.signature.required and m.item.signature.statement]
    statement = statements[0] if statements else "本人承诺所填信息及所交材料真实有效。"
    return SignatureVM(elder_mode=elder, speak="请阅读承诺内容，并在框内签名", title="签名确认", can_back=True, item_name=plan.name,
                       statement=statement, signer=masked(record.identity), signed=bool(record.signature), error=error)


def _material_name(plan: P.Plan, key: str) -> str:
    """The citizen-facing name of a provided material (keys are ``material`` or ``member.material``)."""
    member_id, _, local = key.rpartition(".")
    for member in plan.members:
        if member_id in ("", member.id):
            found = next((m.name for m in member.item.materials if m.id == local), None)
            if found:
                return found
    return local


def confirm_vm(plan: P.Plan, record: FlowRecord, fields: tuple[P.PlanField, ...], modes: tuple[str, ...], deliveries: tuple[str, ...],
               receiving: tuple[str, str], handling: tuple[str, str], routing_note: str, time_limit: str, elder: bool) -> ConfirmVM:
    rows = [SummaryRow("办理事项", plan.name, "item"), SummaryRow("申请人", masked(record.identity), "item")]
    if record.agent and record.principal:
        rows.append(SummaryRow("被代办人", record.principal.get("name", "")[:1] + "*", "item"))
    for pf in fields:
        value = record.values.get(pf.key, "")
        if not value:
            continue
        if pf.spec.type == "id_number":
            value = mask_id_number(value)
        elif pf.spec.type == "phone":
            value = mask_phone(value)
        elif pf.spec.type == "bank_account":
            value = mask_bank_account(value)
        elif pf.spec.type == "checkbox" and not pf.spec.options:
            value = {"true": "是", "false": "否"}.get(value, value)
        elif pf.spec.type == "multiselect" and pf.spec.options:
            value = "、".join(o.label for o in pf.spec.options if o.value in value.split(","))
        elif pf.spec.options:
            value = next((o.label for o in pf.spec.options if o.value == value), value)
        rows.append(SummaryRow(pf.spec.label, value, "form"))
    for key, provided in record.provided.items():
        if provided.status in ("elicense", "captured"):
            shown = "电子证照" if provided.status == "elicense" else f"已采集{len(provided.files)}页"
            rows.append(SummaryRow(_material_name(plan, key), shown, "material"))
    return ConfirmVM(
        elder_mode=elder,
        speak=f"请核对信息。本事项由{handling[1]}办理，确认无误请点提交。",
        title="确认提交",
        can_back=True,
        item_name=plan.name,
        rows=tuple(rows),
        modes=tuple(Option(m, HANDLING_MODES[m]) for m in modes),
        mode=record.mode,
        deliveries=tuple(Option(d, DELIVERY_METHODS[d]) for d in deliveries),
        delivery=record.delivery,
        receiving_district=receiving[1],
        handling_district=handling[1],
        routing_note=routing_note,
        time_limit=time_limit,
    )
