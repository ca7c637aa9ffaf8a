"""ItemFlow: runs any item or 一件事 (life event) from configuration, one intent at a time.

Every state change goes through ``FlowMachine.transition`` (log + sealed checkpoint of the
``FlowRecord``). Steps: identify → guide (→ 一次性告知) → form → materials → signature → confirm →
submitting → accepted (outbox) → receipt → evaluate → done. Nothing here names an item: what is asked
comes from ``kiosk.flows.plan``; how it looks from ``kiosk.flows.views``. The session wipe is the
owner's job (``Controller``), so every ending — normal, cancel, timeout, crash — goes through it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from kiosk.errors import PlatformError
from kiosk.flows import intents as I
from kiosk.flows import plan as P
from kiosk.flows import views as V
from kiosk.flows.availability import of_terminal, offer_working_methods
from kiosk.flows.background import BackgroundTasks
from kiosk.flows.capture import CaptureStep
from kiosk.flows.crash import crash_listener, crash_point
from kiosk.flows.eligibility_check import refusal_view, refusals, verified
from kiosk.flows.form import prefill_value, validate
from kiosk.flows.identify import METHODS, IdentifyFailed, principal_from_card, read_id_card, with_shared_data
from kiosk.flows.live import LivePreview
from kiosk.flows.machine import FlowMachine
from kiosk.flows.notice_print import print_notice
from kiosk.flows.record import FlowRecord
from kiosk.flows.session import Session
from kiosk.flows.states import AFTER_ACCEPTANCE, FINAL, FlowState
from kiosk.flows.step_context import StepContext
from kiosk.flows.submit_step import SubmitStep
from kiosk.flows.viewmodels import Action, IdentifyVM, MessageVM, ViewModel
from kiosk.flows.wiring import FlowServices
from kiosk.items.eligibility import Verified
from kiosk.terminal.status import DeviceClass

log = logging.getLogger(__name__)
Publish = Callable[[ViewModel], None]
_DEVICE = {"idcard_face": DeviceClass.ID_CARD_READER, "ykm": DeviceClass.BARCODE_READER, "sscard": DeviceClass.CHIP_CARD_READER}


class ItemFlow:
    def __init__(self, services: FlowServices, session: Session, publish: Publish, record: FlowRecord,
                 state: FlowState = FlowState.IDENTIFY, *, tasks: BackgroundTasks | None = None) -> None:
        self.services = services
        self.session = session
        self.publish_vm = publish
        self.record = record
        self.plan = P.plan_for(services.catalog, record.code)
        self.machine = FlowMachine(session.id, record.code, services.store, services.box, state, listener=crash_listener)
        self.errors: dict[str, str] = {}
        self.licenses: dict[str, bool] = {}
        self.view: ViewModel | None = None
        self.live = LivePreview(self.show_live)
        step = StepContext(self.plan, record, session, services.terminal, services.link, services.config.terminal, self.live,
                           tasks or BackgroundTasks("flow"), self)
        self.capture = CaptureStep(step)
        self.submit = SubmitStep(step)
        self.notice_printed = False
        self.facts: Verified | None = None  # gathered once after identification; the submit step gathers afresh
        self._handlers: dict[FlowState, Callable[[I.Intent], Awaitable[None]]] = {  # the step that takes intents in each state
            FlowState.IDENTIFY: self._on_identify, FlowState.GUIDE: self._on_guide, FlowState.FORM: self._on_form,
            FlowState.MATERIALS: self._on_materials, FlowState.SIGNATURE: self._on_signature, FlowState.CONFIRM: self._on_confirm,
            FlowState.RECEIPT: self._on_receipt, FlowState.EVALUATE: self._on_evaluate,
        }

    # ----- plumbing -----------------------------------------------------------------------------
    @property
    def state(self) -> FlowState:
        return self.machine.state

    @property
    def elder(self) -> bool:
        return self.session.elder_mode

    @property
    def finished(self) -> bool:
        return self.state in FINAL

    def show(self, vm: ViewModel) -> None:
        self.live.cancel()  # a new screen ends any live preview of the previous one
        if isinstance(vm, IdentifyVM):  # only the methods whose devices work now (a broken reader hides its method)
            vm = offer_working_methods(vm, of_terminal(self.services.terminal))
        self.view = vm
        self.publish_vm(vm)

    def show_live(self, vm: ViewModel) -> None:
        """A preview frame of the current screen (not remembered as the screen to restore)."""
        if not self.finished:
            self.publish_vm(vm)

    def go(self, target: FlowState, reason: str) -> None:
        self.machine.transition(target, reason, self.record.to_payload())

    def save(self) -> None:
        if self.state not in FINAL:
            self.machine.checkpoint(self.record.to_payload())

    def message(
        self, text: str, level: str = "error", actions: tuple[Action, ...] = (Action("retry", "重试", True), Action("cancel", "退出"))
    ) -> None:
        self.show(MessageVM(elder_mode=self.elder, speak=text, title=self.plan.name, text=text, level=level, actions=actions))  # type: ignore[arg-type]

    async def districts(self) -> dict[str, str]:
        caches = self.services.caches
        if caches.districts is None:
            try:
                caches.districts = {d.code: d.name for d in await self.services.link.client.list_districts()}
            except PlatformError:
                caches.districts = {self.services.district: self.services.config.terminal.district_name}
        return caches.districts

    # ----- entry --------------------------------------------------------------------------------
    async def begin(self) -> None:
        if self.record.agent and "agent" not in self.plan.identity_methods:
            self.record.agent = False
            self.message("本事项不支持代办，请申请人本人办理", "warning", (Action("continue", "本人办理", True), Action("cancel", "退出")))
            return
        self.machine.checkpoint(self.record.to_payload())
        crash_point(FlowState.IDENTIFY.value)
        self.show(V.identify_vm(self.plan, self.record, self.elder))

    async def handle(self, intent: I.Intent) -> None:
        """One intent; unknown intents for the current step are ignored (a double tap is not an error)."""
        if self.finished:
            return
        handler = self._handlers.get(self.state)
        if handler is not None:
            await handler(intent)

    # ----- identify -----------------------------------------------------------------------------
    async def _on_identify(self, intent: I.Intent) -> None:
        if isinstance(intent, I.Choose) and intent.what == "action" and intent.value in ("retry", "continue"):
            self.show(V.identify_vm(self.plan, self.record, self.elder))
        elif isinstance(intent, I.Choose) and intent.what == "method" and self.record.identity is None:
            await self._identify(intent.value)
        elif isinstance(intent, I.Choose) and intent.what == "principal" and self.record.identity is not None:
            await self._principal(intent.value)

    def _alive(self) -> bool:
        return not self.finished and not self.session.wiped

    async def _phase(self, phase: str, guidance: str) -> None:
        await self.live.stop()
        camera = self.services.terminal.camera
        preview = camera.latest_frame_jpeg() if phase == "face" and camera is not None else None
        vm = V.identify_vm(self.plan, self.record, self.elder, phase, guidance, preview=preview)
        self.show(vm)
        if phase == "face" and camera is not None:
            self.live.start(vm, camera.latest_frame_jpeg)

    async def _identify(self, method: str) -> None:
        refusal = of_terminal(self.services.terminal).refusal(method)  # its device went down since the screen was drawn
        if method not in METHODS or method not in self.plan.identity_methods or refusal:
            self.show(V.identify_vm(self.plan, self.record, self.elder, error=refusal or "本事项不支持该核验方式"))
            return
        timeout = self.services.terminal.specs[_DEVICE[method]].timeout_s if _DEVICE[method] in self.services.terminal.specs else None
        try:
            identity = await METHODS[method](self.services.terminal, self.services.link.client, self._phase, timeout, self._alive)
        except IdentifyFailed as exc:
            await self.live.stop()
            log.info("identify %s failed: %s", method, exc)
            self.session.audit.append("terminal", "identity.checked", session=self.session.id, method=method, ok=False,
                                      item=self.plan.code, reason=str(exc)[:120])
            if not self.finished:
                self.show(V.identify_vm(self.plan, self.record, self.elder, "failed", error=exc.citizen))
            return
        await self.live.stop()
        self.session.audit.append("terminal", "identity.checked", session=self.session.id, method=method, ok=True, item=self.plan.code)
        if self.finished:  # the session ended (idle timeout) while a device was waiting
            return
        self.session.remember_names(identity.person.get("name", ""))
        self.record.identity = await with_shared_data(identity, self.services.link.client)
        self.session.data["identity"] = self.record.identity
        if self.record.agent:
            self.save()
            self.show(
                V.identify_vm(self.plan, self.record, self.elder, "principal", "代办：请将被代办人的身份证放在感应区，或选择手工填写被代办人信息")
            )
            return
        await self._after_identify()

    async def _principal(self, how: str) -> None:
        if how == "card":  # shown only while the 二代证 reader works (IdentifyVM.principal_card); a stale tap fails in the read
            try:
                spec = self.services.terminal.specs.get(DeviceClass.ID_CARD_READER)
                card = await read_id_card(self.services.terminal, self._phase, spec.timeout_s if spec else None, self._alive)
            except IdentifyFailed as exc:
                if not self.finished:
                    self.show(V.identify_vm(self.plan, self.record, self.elder, "principal", error=exc.citizen))
                return
            if self.finished:
                return
            self.record.principal = principal_from_card(card)
            self.session.remember_names(card.name)
        else:
            self.record.principal = {"name": "", "id_number": "", "manual": "1"}
        await self._after_identify()

    async def _after_identify(self) -> None:
        self.facts = await verified(self.plan, self.record, self.services.link.client, self.services.district, await self.districts())
        if self._refused("identified but not eligible"):
            return
        if P.next_question(self.plan, self.record.answers) is not None:
            self.go(FlowState.GUIDE, f"identified by {self.record.identity_kind}")
            self._show_guide()
        else:
            self.go(FlowState.GUIDE, "no questions: notice")
            self.show(V.notice_vm(self.plan, self.record, self.elder))

    # ----- eligibility --------------------------------------------------------------------------
    def _refused(self, reason: str = "") -> bool:
        """Show which condition fails and its basis (before any form); True if the citizen does not qualify."""
        found = refusals(self.plan, self.record, self.facts) if self.facts else []
        if found:
            if reason:
                self.go(FlowState.GUIDE, f"{reason}: {', '.join(f.rule.id for f in found)}")
            self.message(*refusal_view(found))
        return bool(found)

    # ----- guide --------------------------------------------------------------------------------
    def _show_guide(self) -> None:
        if self._refused():
            return
        found = P.next_question(self.plan, self.record.answers)
        if found is None:
            unsupported = [m.item.name for m in self.plan.members if (s := P.situation(m, self.record.answers)) and not s.kiosk_supported]
            if unsupported:
                self.message(
                    f"您的情形需到窗口办理（{'、'.join(unsupported)}），可打印一次性告知书后前往。",
                    "warning",
                    (Action("print_notice", "打印告知书", True), Action("back", "重新选择"), Action("cancel", "退出")),
                )
                return
            self.show(V.notice_vm(self.plan, self.record, self.elder, self.notice_printed))
            return
        member, question = found
        self.show(V.guide_vm(self.plan, self.record, member, question.id, self.elder))

    async def _on_guide(self, intent: I.Intent) -> None:
        if isinstance(intent, I.Answer):
            found = P.next_question(self.plan, self.record.answers)
            if found is None or found[1].id != intent.question:
                return
            member, question = found
            question.option(intent.option)  # KeyError → bug in the UI; let it surface
            self.record.answers.setdefault(member.id, {})[question.id] = intent.option
            self.save()
            self._show_guide()
        elif isinstance(intent, I.Back) or (isinstance(intent, I.Choose) and intent.value == "back"):
            for member in reversed(self.plan.members):
                if self.record.answers.get(member.id):
                    self.record.answers[member.id].popitem()
                    break
            self._show_guide()
        elif isinstance(intent, I.PrintNotice) or (isinstance(intent, I.Choose) and intent.value == "print_notice"):
            await self._print_notice()
        elif isinstance(intent, I.Next) and P.next_question(self.plan, self.record.answers) is None:
            if any((s := P.situation(m, self.record.answers)) and not s.kiosk_supported for m in self.plan.members):
                return
            await self._enter_form()

    async def _print_notice(self) -> None:
        cfg = self.services.config.terminal
        printed, error = await print_notice(self.plan, self.record, self.services.terminal, f"GZ-{self.session.id[:10].upper()}", cfg.hall, cfg.id)
        self.notice_printed = self.notice_printed if printed is None else printed
        self.show(V.notice_vm(self.plan, self.record, self.elder, self.notice_printed, error))

    # ----- form ---------------------------------------------------------------------------------
    async def _enter_form(self) -> None:
        if self._refused():
            return
        districts = await self.districts()
        principal = self.record.principal if self.record.agent and self.record.principal else None
        shared_values = {k.split(".", 1)[1]: v for k, v in self.record.values.items() if k.startswith("shared.")}
        for pf in P.fields(self.plan, self.record.answers):
            if self.record.values.get(pf.key) or not pf.spec.prefill:
                continue
            value = prefill_value(pf.spec.prefill, self.record.identity, principal, districts, self.services.district, shared_values)
            if value:
                self.record.values[pf.key] = value
                self.record.prefilled.append(pf.key)
        self.go(FlowState.FORM, "situation resolved")
        self.errors = {}
        await self._show_form()

    async def _show_form(self, error: str = "") -> None:
        fields = P.fields(self.plan, self.record.answers)
        self.show(V.form_vm(self.plan, self.record, fields, self.errors, await self.districts(), self.elder, error))

    def _form_errors(self, districts: dict[str, str]) -> dict[str, str]:
        errors: dict[str, str] = {}
        for pf in P.fields(self.plan, self.record.answers):
            ctx = P.context(
                self.plan.member(pf.targets[0][0]),
                self.record.answers,
                self.record.values,
                self.plan,
                self.record.identity_kind,
                self.record.delivery or None,
            )
            # one field validated alone: at most one message, filed under the field's plan key
            for message in validate((pf.spec,), {pf.spec.id: self.record.values.get(pf.key, "")}, ctx, districts).values():
                errors[pf.key] = message
        return errors

    async def _on_form(self, intent: I.Intent) -> None:
        if isinstance(intent, I.SetField):
            keys = {pf.key: pf for pf in P.fields(self.plan, self.record.answers)}
            if intent.field not in keys:
                return
            self.record.values[intent.field] = intent.value.strip()
            if intent.field in self.record.prefilled:
                self.record.prefilled.remove(intent.field)
            self.errors = {k: v for k, v in self._form_errors(await self.districts()).items() if k == intent.field or k in self.errors}
            await self._show_form()
        elif isinstance(intent, I.Next):
            self.errors = self._form_errors(await self.districts())
            if self.errors:
                await self._show_form(f"有{len(self.errors)}项需要修改")
                return
            listed = P.materials(self.plan, self.record.answers, self.record.values, self.record.identity_kind, self.record.delivery or None)
            if listed:
                self.go(FlowState.MATERIALS, "form complete")
                await self.capture.show()
            else:
                await self._after_materials("form complete, no materials")
        elif isinstance(intent, I.Back):
            self.go(FlowState.GUIDE, "back")
            self._show_guide()

    # ----- materials, signature -----------------------------------------------------------------
    async def _on_materials(self, intent: I.Intent) -> None:
        if isinstance(intent, I.Back):
            self.go(FlowState.FORM, "back")
            await self._show_form()
        elif isinstance(intent, I.Next):
            if await self.capture.complete():
                await self._after_materials("materials complete")
        else:
            await self.capture.handle(intent)

    async def _after_materials(self, reason: str) -> None:
        if any(m.item.signature.required for m in self.plan.members) and not self.record.signature:
            self.go(FlowState.SIGNATURE, reason)
            self.show(V.signature_vm(self.plan, self.record, self.elder))
        else:
            self.go(FlowState.CONFIRM, reason)
            await self.submit.show_confirm()

    async def _on_signature(self, intent: I.Intent) -> None:
        if isinstance(intent, I.Sign):
            if not intent.png.startswith(b"\x89PNG\r\n\x1a\n") or len(intent.png) < 67:
                self.show(V.signature_vm(self.plan, self.record, self.elder, "签名未能保存，请重新签名"))
                return
            path = self.session.temp_file("signature.png")
            path.write_bytes(intent.png)
            self.record.signature = str(path)
            self.go(FlowState.CONFIRM, "signed")
            await self.submit.show_confirm()
        elif isinstance(intent, I.Back):
            listed = P.materials(self.plan, self.record.answers, self.record.values, self.record.identity_kind, self.record.delivery or None)
            self.go(FlowState.MATERIALS if listed else FlowState.FORM, "back")
            await (self.capture.show() if listed else self._show_form())

    # ----- confirm → submit → receipt → evaluate ------------------------------------------------
    async def _on_confirm(self, intent: I.Intent) -> None:
        if isinstance(intent, I.Back):
            self.record.signature = ""
            await self._after_materials_back()
        else:
            await self.submit.handle(intent)

    async def _after_materials_back(self) -> None:
        listed = P.materials(self.plan, self.record.answers, self.record.values, self.record.identity_kind, self.record.delivery or None)
        self.go(FlowState.MATERIALS if listed else FlowState.FORM, "back")
        await (self.capture.show() if listed else self._show_form())

    async def _on_receipt(self, intent: I.Intent) -> None:
        await self.submit.handle(intent)

    async def _on_evaluate(self, intent: I.Intent) -> None:
        await self.submit.handle(intent)

    # ----- ending -------------------------------------------------------------------------------
    def abandon(self, target: FlowState, reason: str) -> None:
        """Cancel/timeout: before acceptance the application is discarded; after it, the flow is done."""
        if self.finished:
            return
        if self.state in AFTER_ACCEPTANCE:
            self.go(FlowState.DONE, f"{reason} after acceptance (kept in the outbox)")
        elif self.state is FlowState.SUBMITTING:
            return  # the submit step finishes the enqueue; never abandon half-way
        else:
            self.go(target, reason)
