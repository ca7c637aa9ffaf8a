"""A scripted citizen: reads each published view-model and answers with the intent a person would.

Why a robot instead of a fixed script: it runs ANY item from the catalog through the same
intents the touch screen sends, so ``kiosk simulate`` and the tests exercise the real path. It also
plays the devices (puts the persona's card on the emulated reader, shows the 渝快码) through the
sim devices' ``.emulator`` control APIs — the one place outside the UI's developer panel that does.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from kiosk.errors import FlowError
from kiosk.flows import intents as I
from kiosk.flows import plan as P
from kiosk.flows import viewmodels as VM
from kiosk.privacy import mask_name

PERSONAS = Path(__file__).with_name("personas.json")  # the demo citizens (package data of sim)

log = logging.getLogger(__name__)
Say = Callable[[str], None]


@dataclass(frozen=True)
class Persona:
    key: str
    method: str
    description: str = ""
    idcard: str = ""
    sscard: str = ""
    ykm: str = ""
    principal_idcard: str = ""
    agent: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)


def load_personas(path: str | Path | None = None) -> dict[str, Persona]:
    doc = json.loads(Path(path or PERSONAS).read_text(encoding="utf-8"))
    defaults, common = doc.get("defaults", {}), doc.get("field_defaults", {})
    return {k: Persona(key=k, defaults=defaults, **{**v, "fields": {**common, **v.get("fields", {})}}) for k, v in doc["personas"].items()}


def signature_png() -> bytes:
    """A drawn signature as the pad would produce it (PNG, strokes on white)."""
    image = Image.new("L", (480, 160), 255)
    draw = ImageDraw.Draw(image)
    draw.line([(30, 110), (90, 40), (140, 120), (200, 50), (260, 115), (330, 45), (440, 100)], fill=0, width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class Robot:
    def __init__(self, controller: Any, persona: Persona, say: Say, *, mode: str | None = None, print_notice: bool = False,
                 keep_receipt: Path | None = None) -> None:
        self.keep_receipt = keep_receipt  # copy the rendered receipt PNG here (it is masked; the session copy is wiped)
        self.c = controller
        self.p = persona
        self.say = say
        self.mode = mode
        self.print_notice = print_notice
        self.attempts: dict[str, int] = {}
        self.receipt: VM.ReceiptVM | None = None
        self.seen: list[str] = []
        self.prepare: Any = None  # a coroutine playing a device before the next intent (e.g. card on reader)

    def _bump(self, key: str, limit: int) -> None:
        self.attempts[key] = self.attempts.get(key, 0) + 1
        if self.attempts[key] > limit:
            raise FlowError(f"simulation stuck at {key}: {self._describe(self.c.view)}")

    @staticmethod
    def _describe(vm: Any) -> str:
        for attr in ("error", "text", "guidance", "speak"):
            if getattr(vm, attr, ""):
                return str(getattr(vm, attr))
        return type(vm).__name__

    async def run(self, code: str, max_steps: int = 400) -> VM.ReceiptVM | None:
        await self.c.send(I.Touch())
        await self.c.send(I.Start(code, agent=self.p.agent))
        for _ in range(max_steps):
            vm = self.c.view
            self.seen.append(vm.kind)
            if isinstance(vm, VM.AttractVM):
                return self.receipt
            intent = self.decide(vm)
            if self.prepare is not None:
                await self.prepare
                self.prepare = None
            self.say(f"  → {type(intent).__name__}" + (f"({_args(intent)})" if _args(intent) else ""))
            await self.c.send(intent)
        raise FlowError(f"simulation did not finish in {max_steps} steps")

    # ----- decisions ----------------------------------------------------------------------------
    def decide(self, vm: VM.ViewModel) -> I.Intent:
        handler = getattr(self, f"_{vm.kind}")
        return handler(vm)  # type: ignore[no-any-return]

    def _identify(self, vm: VM.IdentifyVM) -> I.Intent:
        terminal = self.c.services.terminal
        if vm.phase == "principal" or (vm.role == "principal" and vm.error):
            self._bump("principal", 2)
            self.say(f"[identify] 代办：放上被代办人身份证 ({self.p.principal_idcard})")
            terminal.idcard.emulator.insert(self.p.principal_idcard)
            return I.Choose("principal", "card" if self.p.principal_idcard else "manual")
        self._bump("identify", 3)
        if vm.error:
            self.say(f"[identify] 失败：{vm.error}")
            self.prepare = asyncio.sleep(0.5)  # a citizen looks at the message, then tries again
        methods = [m.id for m in vm.methods]
        method = self.p.method if self.p.method in methods else next(m for m in ("ykm", "sscard", "idcard_face") if m in methods)
        if method == "idcard_face":
            terminal.idcard.emulator.insert(self.p.idcard)
        elif method == "ykm":
            terminal.barcode.emulator.show(self.p.ykm)
        elif method == "sscard":
            self.prepare = self._insert_sscard(terminal.chipcard.emulator, self.prepare)
        self.say(f"[identify] {vm.title}：{dict((m.id, m.label) for m in vm.methods)[method]}")
        return I.Choose("method", method)

    async def _insert_sscard(self, card: Any, before: Any = None) -> None:
        """Put the 社保卡 on the reader and wait until pcscd sees it (as a citizen waits for the beep)."""
        if before is not None:
            await before
        state = card.state()
        if state["card"] is None or not state["connected"] or self.p.sscard not in str(state["card"]):
            card.insert(self.p.sscard)
            await asyncio.to_thread(card.wait_connected, 5.0)
            await asyncio.sleep(0.8)  # pcscd notices a new card within its slot poll (~0.3-0.6 s here)

    def _guide(self, vm: VM.GuideVM) -> I.Intent:
        flow = self.c.flow
        member, question = P.next_question(flow.plan, flow.record.answers)  # type: ignore[misc]
        wanted = self.p.answers.get(member.item.code, {}).get(question.id)
        option = next((o for o in question.options if o.id == wanted), None) or next(
            (o for o in question.options if o.next or (o.situation and member.item.situation(o.situation).kiosk_supported)), question.options[0])
        self.say(f"[guide] {vm.question} → {option.label}")
        return I.Answer(question.id, option.id)

    def _notice(self, vm: VM.NoticeVM) -> I.Intent:
        if self.print_notice and not vm.printed and "notice" not in self.attempts:
            self.attempts["notice"] = 1
            self.say(f"[notice] 情形：{vm.situation}；材料 {len(vm.materials)} 项；打印一次性告知书")
            return I.PrintNotice()
        self.say(f"[notice] 情形：{vm.situation}；材料 {len(vm.materials)} 项" + ("（告知书已打印）" if vm.printed else ""))
        return I.Next()

    def _form(self, vm: VM.FormVM) -> I.Intent:
        for f in vm.fields:
            if (f.error or (f.required and not f.value)) and self.attempts.get(f"field:{f.id}", 0) < 2:
                self._bump(f"field:{f.id}", 2)
                value = self._value(f)
                shown = value if f.options or f.type in ("date", "number", "money", "checkbox") else mask_name(value) if "名" in f.label else "***"
                self.say(f"[form] {f.label} = {shown}" + (f"（{f.error}）" if f.error else ""))
                return I.SetField(f.id, value)
        self._bump("form-next", 3)
        prefilled = sum(1 for f in vm.fields if f.prefilled)
        self.say(f"[form] {len(vm.fields)} 项，其中 {prefilled} 项已由身份证/共享数据自动填写" + (f"；{vm.error}" if vm.error else ""))
        return I.Next()

    def _value(self, f: VM.FieldVM) -> str:
        local = f.id.split(".")[-1]
        if local in self.p.fields:
            return self.p.fields[local]
        if f.options:
            return f.options[0].id if f.type != "district" else self.c.services.district
        if f.type == "id_number":
            return self.c.flow.record.identity.person.get("id_number", "") if self.c.flow and self.c.flow.record.identity else ""
        if f.type == "checkbox":
            return "true"
        return self.p.defaults.get(f.type, self.p.defaults.get("text", "演示"))

    def _materials(self, vm: VM.MaterialsVM) -> I.Intent:
        for m in vm.materials:
            if m.status not in ("pending", "rejected"):
                continue
            tried = self.attempts.get(f"mat:{m.id}", 0)
            self._bump(f"mat:{m.id}", 4)
            if m.status == "rejected":
                self.say(f"[materials] {m.name} 未通过：{m.rejection}（依据：{m.basis}）")
            sources = [s.id for s in m.sources]
            order = [s for s in ("elicense", "scanner", "photo", "doccam", "generated") if s in sources]
            if m.status == "rejected" and "min_pages" not in m.rejection and tried and order and order[0] == "elicense":
                order = order[1:] or order
            source = order[0] if order else "scanner"
            if source == "elicense":
                self.say(f"[materials] {m.name}：调用电子证照（{m.elicense_label}）免提交")
                return I.UseElicense(m.id)
            self.say(f"[materials] {m.name}：{dict((s.id, s.label) for s in m.sources).get(source, source)}")
            return I.Capture(m.id, source)
        self._bump("materials-next", 3)
        done = [m for m in vm.materials if m.status in ("elicense", "captured")]
        self.say(f"[materials] 齐全：{len(done)} 项（电子证照 {sum(1 for m in done if m.status == 'elicense')} 项）")
        return I.Next()

    def _signature(self, vm: VM.SignatureVM) -> I.Intent:
        self._bump("signature", 2)
        self.say(f"[signature] {vm.statement[:30]}… 签名")
        return I.Sign(signature_png())

    def _confirm(self, vm: VM.ConfirmVM) -> I.Intent:
        if self.mode and vm.mode != self.mode and self.mode in {m.id for m in vm.modes} and "mode" not in self.attempts:
            self.attempts["mode"] = 1
            return I.Choose("mode", self.mode)
        self._bump("confirm", 2)
        mode = dict((m.id, m.label) for m in vm.modes).get(vm.mode, vm.mode)
        self.say(f"[confirm] {len(vm.rows)} 行；办理模式 {mode}；受理地 {vm.receiving_district} → 办理地 {vm.handling_district}"
                 + (f"（{vm.routing_note}）" if vm.routing_note else ""))
        return I.Confirm()

    def _receipt(self, vm: VM.ReceiptVM) -> I.Intent:
        self.receipt = vm
        if self.keep_receipt is not None and vm.receipt_png_path and Path(vm.receipt_png_path).exists():
            self.keep_receipt.parent.mkdir(parents=True, exist_ok=True)
            self.keep_receipt.write_bytes(Path(vm.receipt_png_path).read_bytes())
            self.say(f"[receipt] 回执图像：{self.keep_receipt}")
        self.say(f"[receipt] 回执号 {vm.receipt_number}；打印{'成功' if vm.printed else '失败：' + vm.print_error}"
                 + (f"；结果文书{'已打印' if vm.certificate_printed else '：' + vm.certificate_error}" if vm.certificate_printed or vm.certificate_error else ""))
        return I.Next()

    def _evaluate(self, vm: VM.EvaluateVM) -> I.Intent:
        self.say("[evaluate] 好差评：5 非常满意")
        return I.Evaluate(5, "自助办理很方便")

    def _progress(self, vm: VM.ProgressVM) -> I.Intent:
        raise FlowError(f"simulation left on a progress screen: {vm.message}")

    def _idle(self, vm: VM.IdleWarningVM) -> I.Intent:
        return I.Touch()

    def _message(self, vm: VM.MessageVM) -> I.Intent:
        if NOT_ELIGIBLE in vm.text:
            raise NotEligible(vm.text)
        raise FlowError(f"simulation stopped on a message: {vm.text}")

    def _home(self, vm: VM.HomeVM) -> I.Intent:
        raise FlowError("simulation fell back to the home screen")


NOT_ELIGIBLE = "，暂不能在本终端申请。"  # the refusal screen's wording (kiosk.flows.eligibility_check.refusal_text)


class NotEligible(FlowError):
    """The item refused this persona on its eligibility rules (the message names condition and basis)."""

    def __init__(self, text: str) -> None:
        super().__init__(f"simulation stopped on a message: {text}")
        self.text = text


def _args(intent: I.Intent) -> str:
    hidden = ("value", "text", "comment", "phone")  # typed by the citizen: may be personal
    values = [f"{k}={v!r}" for k, v in intent.__dict__.items() if not isinstance(v, bytes) and k not in hidden]
    return ", ".join(values)[:80]
