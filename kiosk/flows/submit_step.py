"""SubmitStep: confirm (mode, delivery, routing), submit through the outbox, receipt, 好差评.

Ordering is what makes crashes safe: the checkpoint says SUBMITTING (with the start time) before
the first enqueue, each enqueue is followed by a checkpoint naming its outbox entry, and only then
ACCEPTED. Recovery (``kiosk.flows.recovery``) finishes a half-enqueued life event from the same record
and never enqueues a member twice.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from kiosk.errors import PlatformError
from kiosk.flows import intents as I
from kiosk.flows import plan as P
from kiosk.flows import views as V
from kiosk.flows.crash import crash_point
from kiosk.flows.eligibility_check import refusal_text, refusals, verified
from kiosk.flows.form import applicant_districts, form_payload
from kiosk.flows.materials import Provided
from kiosk.flows.states import FlowState
from kiosk.flows.step_context import StepContext
from kiosk.flows.submit import (
    acceptance_receipt,
    application,
    outbox_materials,
    print_receipt,
    print_result,
    received,
    result_document,
    wait_case_id,
)
from kiosk.flows.viewmodels import Action, EvaluateVM, ProgressVM, ReceiptVM
from kiosk.items.handling import Handling, decide, next_steps
from kiosk.items.jurisdiction import Routing, route
from kiosk.items.model import TimeLimit
from kiosk.items.vocab import DELIVERY_METHODS

log = logging.getLogger(__name__)


class SubmitStep:
    def __init__(self, ctx: StepContext) -> None:
        self.ctx = ctx
        self.print_error = ""
        self.png_path = ""
        self.certificate: tuple[bool, str] | None = None
        self.unattended = False  # crash recovery: nobody is at the screen to take a result document

    # ----- routing and choices ------------------------------------------------------------------
    async def routing(self, member: P.Member) -> Routing:
        r = self.ctx.record
        member_values = {f: r.values.get(self.ctx.plan.key(member, f), "") for f in (s.id for s in member.item.fields)}
        for shared in (self.ctx.plan.life_event.shared_fields if self.ctx.plan.life_event else ()):
            if member.id in shared.maps_to:
                member_values[shared.maps_to[member.id]] = r.values.get(f"shared.{shared.id}", "")
        principal = r.principal if r.agent and r.principal.get("name") else None
        districts = applicant_districts(r.identity, principal, await self.ctx.flow.districts(), member_values)
        found = P.situation(member, r.answers)
        return route(member.item, self.ctx.site.district_code, districts, found.handling_modes if found and found.handling_modes else None)

    def modes(self, member: P.Member) -> tuple[str, ...]:
        found = P.situation(member, self.ctx.record.answers)
        allowed = found.handling_modes if found and found.handling_modes else member.item.handling_modes
        return tuple(m for m in allowed if m != "online")  # 全程网办 is the citizen's own phone, not this terminal

    def handling(self, member: P.Member, routing: Routing) -> Handling:
        """The engine decides: 就地批办 only for a 即办件 whose conditions hold, else 受理 and route."""
        return decide(member.item, self.modes(member), routing, self.ctx.record.identity_kind)

    def default_mode(self, member: P.Member, routing: Routing) -> str:
        return self.handling(member, routing).mode

    async def show_confirm(self) -> None:
        ctx = self.ctx
        r = ctx.record
        first = ctx.plan.members[0]
        routing = await self.routing(first)
        if routing.decision == "refuse":
            ctx.flow.message(f"{routing.reason}。可到办理地政务服务中心办理，或点“附近网点”查看。", "warning",
                         (Action("centres", "附近网点", True), Action("cancel", "退出")))
            return
        decided = self.handling(first, routing)
        r.mode = decided.mode  # one mode, shown as what happens next: nothing to choose
        deliveries = tuple(d.method for d in first.item.delivery)
        if r.delivery not in deliveries:
            r.delivery = deliveries[0] if deliveries else ""
        districts = await ctx.flow.districts()
        handling = routing.handling_district or routing.receiving_district
        found = P.situation(first, r.answers)
        promised = first.item.time_limits_for(found.id).promised if found else None
        limit = promised.label() if promised else ""
        note = next_steps(first.item, decided, handling, districts.get(handling, ""), promised or TimeLimit("unknown"), deliveries)
        if r.mode == "proxy_remote":
            note = f"本终端受理，转{districts.get(handling, handling)}办理。{note}"
        if handling == "500000":
            districts = {**districts, "500000": "重庆市（市级部门）"}
        ctx.flow.save()
        ctx.flow.show(V.confirm_vm(ctx.plan, r, P.fields(ctx.plan, r.answers), (r.mode,), deliveries,
                               (routing.receiving_district, districts.get(routing.receiving_district, "")),
                               (handling, districts.get(handling, handling)), note, limit, ctx.flow.elder))

    # ----- intents ------------------------------------------------------------------------------
    async def handle(self, intent: I.Intent) -> None:
        ctx = self.ctx
        r = ctx.record
        if ctx.flow.state is FlowState.CONFIRM:
            if isinstance(intent, I.Choose) and intent.what == "delivery" and intent.value in DELIVERY_METHODS:
                r.delivery = intent.value
                await self.show_confirm()
            elif isinstance(intent, I.Confirm):
                await self.submit()
        elif ctx.flow.state is FlowState.RECEIPT:
            if isinstance(intent, I.Next):
                ctx.flow.go(FlowState.EVALUATE, "receipt seen")
                ctx.flow.show(EvaluateVM(elder_mode=ctx.flow.elder, speak="请为本次服务评价，1到5颗星", title="好差评", can_cancel=False))
            elif isinstance(intent, (I.Finish, I.Cancel)):
                ctx.flow.go(FlowState.DONE, "citizen finished")
        elif ctx.flow.state is FlowState.EVALUATE:
            if isinstance(intent, I.Evaluate) and 1 <= intent.score <= 5:
                await self.evaluate(intent.score, intent.comment)
            elif isinstance(intent, (I.Finish, I.Cancel)):
                ctx.flow.go(FlowState.DONE, "evaluation skipped")

    # ----- submit -------------------------------------------------------------------------------
    async def submit(self) -> None:
        ctx = self.ctx
        r = ctx.record
        if ctx.record.identity is None:
            return
        facts = await verified(ctx.plan, r, ctx.link.client, ctx.site.district_code, await ctx.flow.districts())
        found = refusals(ctx.plan, r, facts)  # again before submit: answers or shared data may have changed
        if found:
            log.info("flow %s: not eligible at submit (%s)", ctx.plan.code, ", ".join(f.rule.id for f in found))
            ctx.flow.message(refusal_text(found), "warning", (Action("cancel", "退出", True),))
            return
        delivery = self.delivery_details()
        if isinstance(delivery, str):
            ctx.flow.message(delivery, "warning", (Action("back", "返回修改", True),))
            return
        r.submit_started_at = time.time()
        ctx.flow.go(FlowState.SUBMITTING, f"confirmed ({r.mode})")
        ctx.flow.show(ProgressVM(elder_mode=ctx.flow.elder, speak="正在提交，请稍候", title=ctx.plan.name,
                                 message="正在提交申请，请稍候…", can_cancel=False))
        await self.enqueue_remaining(delivery)
        ctx.flow.go(FlowState.ACCEPTED, f"{len(r.entries)} application(s) in the outbox")
        ctx.link.worker.kick()
        await self.receipt()

    def delivery_details(self) -> dict[str, str] | None | str:
        ctx = self.ctx
        r = ctx.record
        if r.delivery != "post":
            return {"method": r.delivery} if r.delivery == "pickup" else None
        fields = P.fields(ctx.plan, r.answers)
        address = next((r.values[pf.key] for pf in fields if pf.spec.type == "address" and r.values.get(pf.key)), "")
        phone = next((r.values[pf.key] for pf in fields if pf.spec.type == "phone" and r.values.get(pf.key)), "")
        name = (r.principal.get("name") if r.agent else "") or (r.identity.person.get("name", "") if r.identity else "")
        if not address or not phone or not name:
            return "邮寄需要收件地址、联系电话和收件人，请返回填写或改为窗口自取"
        return {"method": "post", "address": address, "phone": phone, "recipient": name}

    async def enqueue_remaining(self, delivery: dict[str, str] | None) -> None:
        """Enqueue every member not yet in ``record.entries``; each enqueue is checkpointed at once."""
        ctx = self.ctx
        r = ctx.record
        done = {e["member"] for e in r.entries}
        signature = Path(r.signature) if r.signature and Path(r.signature).exists() else None
        listed = P.materials(ctx.plan, r.answers, r.values, r.identity_kind, r.delivery or None)
        for member in ctx.plan.members:
            if member.id in done or P.situation(member, r.answers) is None:
                continue
            routing = await self.routing(member)
            mode = self.default_mode(member, routing)  # decided again: a stale or tampered record.mode never grants 就地批办
            body = application(member.item.code, r.identity.person_token if r.identity else "", mode, routing, self.member_form(member), delivery)
            provided = {
                target: (pm.material.name, r.provided.get(pm.key, Provided())) for pm, _ in listed for mid, target in pm.targets if mid == member.id
            }
            entry = ctx.link.outbox.enqueue(body, outbox_materials(provided, signature))
            ctx.session.audit.append("terminal", "application.accepted", session=ctx.session.id, entry=entry.id, receipt=entry.receipt,
                                     item=member.item.code, mode=mode, materials=len(provided))  # 受理 at the terminal: receipt issued
            crash_point(f"enqueued:{len(r.entries) + 1}")
            r.entries.append({"member": member.id, "entry_id": entry.id, "receipt": entry.receipt, "mode": mode, "item": member.item.name})
            ctx.flow.save()
            log.info("flow %s: %s enqueued as %s (%s)", ctx.plan.code, member.id, entry.receipt, mode)

    def member_form(self, member: P.Member) -> dict[str, Any]:
        ctx = self.ctx
        r = ctx.record
        values: dict[str, str] = {}
        specs = []
        for pf in P.fields(ctx.plan, r.answers):
            for mid, fid in pf.targets:
                if mid == member.id:
                    values[fid] = r.values.get(pf.key, "")
                    specs.append(member.item.field(fid))
        form = form_payload(tuple(specs), values)
        if r.agent:
            form.update(
                {
                    "principal_name": r.principal.get("name", ""),
                    "principal_id_number": r.principal.get("id_number", ""),
                    "agent_name": r.identity.person.get("name", "") if r.identity else "",
                }
            )
            form = {k: v for k, v in form.items() if v != ""}
        return form

    # ----- receipt ------------------------------------------------------------------------------
    async def receipt(self) -> None:
        ctx = self.ctx
        r = ctx.record
        cfg = ctx.site
        for entry in r.entries:
            if entry.get("mode") == "on_site" and not r.result_printed and not self.unattended:
                ctx.flow.show(
                    ProgressVM(
                        elder_mode=ctx.flow.elder,
                        speak="正在出具办理结果，请稍候",
                        title=ctx.plan.name,
                        message="就地批办：正在出具并打印结果文书…",
                        can_cancel=False,
                    )
                )
                doc = await result_document(ctx.link.client, ctx.link.worker, entry["entry_id"], ctx.link.outbox, 10.0)
                self.certificate = (
                    await print_result(ctx.terminal, doc, cfg.hall) if doc else (False, "结果文书将在办结后发送至渝快办，也可到窗口领取")
                )
                r.result_printed = self.certificate[0]
        applicant = (r.principal.get("name") if r.agent and r.principal.get("name") else "") or (
            r.identity.person.get("name", "") if r.identity else ""
        )
        applicant_id = (r.principal.get("id_number") if r.agent else "") or (r.identity.person.get("id_number", "") if r.identity else "")
        notes = tuple(f"{e['item']}：{e['receipt']}" for e in r.entries) if len(r.entries) > 1 else ()
        delivery = DELIVERY_METHODS.get(r.delivery, "窗口自取")
        provided = {
            pm.key: (pm.material.name, r.provided.get(pm.key, Provided()))
            for pm, _ in P.materials(ctx.plan, r.answers, r.values, r.identity_kind, r.delivery or None)
        }
        first = ctx.plan.members[0]
        found = P.situation(first, r.answers)
        limit = first.item.time_limits_for(found.id).promised.label() if found else ""
        department = ctx.plan.life_event.department if ctx.plan.life_event else first.item.department
        ctx.flow.show(
            ProgressVM(elder_mode=ctx.flow.elder, speak="正在打印回执", title=ctx.plan.name, message="已受理，正在打印回执…", can_cancel=False)
        )
        document = acceptance_receipt(
            r.reference(), ctx.plan.name, applicant, applicant_id, cfg.hall, cfg.id, delivery, received(provided), limit, department, notes
        )
        outcome = await print_receipt(ctx.terminal, document, ctx.session.temp_file("receipt.png"))
        r.receipt_printed = outcome.printed
        self.print_error, self.png_path = outcome.error, outcome.png_path
        ctx.flow.go(FlowState.RECEIPT, "receipt printed" if outcome.printed else f"receipt not printed: {outcome.error}")
        self.show_receipt()

    def show_receipt(self) -> None:
        ctx = self.ctx
        r = ctx.record
        case = ""
        row = ctx.link.outbox.get(r.entries[0]["entry_id"]) if r.entries else None
        if row and row.get("case_id"):
            case = row["case_id"]
        way = "" if r.receipt_printed else "请拍照保存屏幕上的回执号，或凭身份证到窗口补打回执"
        cert_ok, cert_error = self.certificate if self.certificate else (False, "")
        speak = f"提交成功，您的回执号是{r.reference()}" + ("，请取走回执" if r.receipt_printed else "。回执未能打印，请拍照保存回执号")
        ctx.flow.show(
            ReceiptVM(
                elder_mode=ctx.flow.elder,
                speak=speak,
                title="办理成功",
                can_cancel=False,
                item_name=ctx.plan.name,
                receipt_number=r.reference(),
                case_number=case,
                receipt_png_path=self.png_path,
                printed=r.receipt_printed,
                print_error=self.print_error,
                way_forward=way,
                certificate_printed=cert_ok,
                certificate_error=cert_error,
            )
        )
        if not case and r.entries and not self.unattended:
            ctx.tasks.spawn(self._case_number_later(r.entries[0]["entry_id"]), "case-number")

    async def _case_number_later(self, entry_id: str) -> None:
        """The platform's 办件号 arrives once the outbox delivers; show it if the citizen is still looking."""
        link = self.ctx.link
        if await wait_case_id(link.worker, link.outbox, entry_id, 15.0) and self.ctx.flow.state is FlowState.RECEIPT:
            self.show_receipt()

    async def evaluate(self, score: int, comment: str) -> None:
        ctx = self.ctx
        r = ctx.record
        row = ctx.link.outbox.get(r.entries[0]["entry_id"]) if r.entries else None
        try:
            await ctx.link.client.evaluate(score, comment, case_id=(row or {}).get("case_id"), item_code=ctx.plan.members[0].item.code)
            r.evaluated = True
        except PlatformError as exc:
            log.warning("evaluation not delivered: %s", exc)
        ctx.flow.go(FlowState.DONE, f"evaluated {score}")
