"""StoryPort: a scripted stand-in for the flow controller, for the demo and the UI tests.

It answers the UI's intents with view-models built from the REAL item catalog (questions, fields,
materials, delivery), the real FAQ knowledge base, platform seed data (centres) and receipts rendered
through the real ESC/POS encoder + renderer. It is deliberately simple (no devices, no platform
submission, no validation beyond "required"): the flow engine in kiosk.flows owns those; when its
controller lands the app takes it instead (same ``send``/``subscribe`` port). Kivy-free.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Callable

from kiosk.flows import intents as I
from kiosk.flows import viewmodels as V
from kiosk.ime import search, search_key
from kiosk.items import Item, load_catalog
from kiosk.items.vocab import CATEGORIES, IDENTITY_METHODS
from kiosk.privacy import mask_id_number, mask_name
from screens.demo.pictures import face_preview, page_on_desk

REPO = Path(__file__).resolve().parents[2]
SOURCES = {"elicense": "调用电子证照", "scanner": "扫描仪扫描", "doccam": "高拍仪拍摄", "photo": "拍照上传", "generated": "在线生成"}
DELIVERIES = {"electronic": "电子证照/结果推送", "pickup": "窗口自取", "post": "邮寄送达", "print_on_site": "本机打印"}
SERVICES = (V.Option("case_status", "办件查询"), V.Option("centres", "附近网点"), V.Option("faq", "政策问答"),
            V.Option("help", "帮办"))
KEYBOARD = {"id_number": "id_number", "phone": "digits", "number": "digits", "money": "digits", "bank_account": "digits"}
HIGH_FREQUENCY = ("00011200600001", "00011200400001", "00010900200001", "00011500200001", "00012700100001", "00010900300001")


class StoryPort:
    def __init__(self, hall: str = "渝北区政务服务中心（演示）", terminal_id: str = "CQ-500112-DEMO",
                 out_dir: Path | None = None, speak: Callable[[str], None] | None = None, delay_s: float = 0.05) -> None:
        self.catalog = load_catalog(REPO / "config" / "items")
        self.keys = [search_key(i.name) for i in self.catalog.items.values()]
        self.by_name = {i.name: i for i in self.catalog.items.values()}
        self.hall, self.terminal_id = hall, terminal_id
        self.out_dir = out_dir or Path("out/demo/receipts")
        self.speak_out = speak
        self.delay_s = delay_s
        self.listeners: list[Callable[[V.ViewModel], None]] = []
        self.sent: list[I.Intent] = []
        self.receipts: list[Path] = []
        self.spoken: list[str] = []
        self.elder = False
        self.out_of_service = ""
        self._kb = None
        self.hall_message = "今日 12:00-13:00 午间不休，自助终端 7×24 小时服务"
        self._reset()

    # ----- port ---------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[V.ViewModel], None]) -> None:
        self.listeners.append(listener)
        self.publish(self.attract())

    def publish(self, vm: V.ViewModel) -> None:
        if not isinstance(vm, V.IdleWarningVM):
            self.current = vm
        if self.elder and vm.speak:
            self.spoken.append(vm.speak)
            if self.speak_out is not None:
                self.speak_out(vm.speak)
        for listener in self.listeners:
            listener(vm)

    def send(self, intent: I.Intent) -> None:
        self.sent.append(intent)
        handler = getattr(self, "_on_" + type(intent).__name__.lower(), None)
        if handler is not None:
            handler(intent)

    # ----- session ------------------------------------------------------------------------------
    def _reset(self) -> None:
        self.item: Item | None = None
        self.agent = False
        self.phase = ""
        self.answers: list[V.SummaryRow] = []
        self.situation = None
        self.values: dict[str, str] = {}
        self.material_state: dict[str, str] = {}
        self.delivery = ""
        self.history: list[V.ViewModel] = []
        self.score: int | None = None

    def vm(self, cls: type, **fields: object) -> V.ViewModel:
        return cls(elder_mode=self.elder, **fields)

    def go(self, vm: V.ViewModel) -> None:
        if getattr(self, "current", None) is not None and self.current.kind not in ("progress", "attract"):
            self.history.append(self.current)
        self.publish(vm)

    def attract(self) -> V.AttractVM:
        entries = tuple(self.entry(self.catalog.items[c]) for c in HIGH_FREQUENCY if c in self.catalog.items)
        return self.vm(V.AttractVM, hall_name=self.hall, high_frequency=entries, hall_message=self.hall_message,
                       out_of_service=bool(self.out_of_service), out_of_service_reason=self.out_of_service,
                       speak="欢迎使用渝快办自助终端，请轻触屏幕开始办理")

    def entry(self, item: Item) -> V.ItemEntry:
        return V.ItemEntry(item.code, item.name, item.category, CATEGORIES.get(item.category, item.category),
                           department=item.department, initials=search_key(item.name).initials)

    def home(self, query: str = "", category: str | None = None) -> V.HomeVM:
        counts: dict[str, int] = {}
        for item in self.catalog.items.values():
            counts[item.category] = counts.get(item.category, 0) + 1
        items = list(self.catalog.items.values())
        if category:
            items = [i for i in items if i.category == category]
        if query:
            names = {k.text for k in search(query, [search_key(i.name) for i in items], limit=20)}
            items = [i for i in items if i.name in names]
        return self.vm(V.HomeVM, categories=tuple(V.Category(c, l, counts.get(c, 0)) for c, l in CATEGORIES.items()
                                                  if counts.get(c)),
                       high_frequency=tuple(self.entry(self.catalog.items[c]) for c in HIGH_FREQUENCY),
                       services=SERVICES, query=query, category=category,
                       results=tuple(self.entry(i) for i in items), speak="请选择要办理的事项，也可以搜索")

    # ----- intents ------------------------------------------------------------------------------
    def _on_touch(self, _i: I.Touch) -> None:
        if self.current.kind == "attract" and not self.out_of_service:
            self.go(self.home())
        elif self.current.kind == "maintenance":
            pass

    def _on_search(self, i: I.Search) -> None:
        self.publish(self.home(i.query, i.category))

    def _on_start(self, i: I.Start) -> None:
        self.item = self.catalog.items[i.code]
        self.agent = i.agent
        methods = tuple(V.Option(m, IDENTITY_METHODS.get(m, m)) for m in self.item.identity.methods)
        self.go(self.vm(V.IdentifyVM, item_name=self.item.name, methods=methods, speak="请选择身份核验方式"))

    def _identify(self, phase: str, speak: str, **extra: object) -> None:
        assert self.item is not None
        role = "agent" if self.agent and phase != "principal" else ("principal" if phase == "principal" else "applicant")
        self.phase = phase
        self.publish(self.vm(V.IdentifyVM, item_name=self.item.name, methods=(), method="idcard_face", phase=phase,
                             role=role, speak=speak, **extra))

    def _on_choose(self, i: I.Choose) -> None:
        kind = self.current.kind
        if kind == "identify" and i.what == "method":
            self.agent = self.agent or i.value == "agent"
            self._identify("insert_card", "请将身份证放在感应区")
        elif kind == "confirm" and i.what == "delivery":
            self.delivery = i.value
            self.publish(self.confirm_vm())
        elif kind == "case_status" and i.what == "method":
            self.publish(self.vm(V.CaseStatusVM, phase="scan" if i.value == "qr" else "idcard"))
        elif i.what == "action":
            self._finish()

    def card_placed(self) -> None:
        """The ID card reader saw a card (the demo panel or a journey calls this)."""
        if self.current.kind == "identify" and self.phase == "insert_card":
            self._identify("face", "请正对摄像头", guidance="请正对摄像头，保持不动", preview_jpeg=face_preview())
        elif self.current.kind == "identify" and self.phase == "principal":
            self._identify("done", "身份核验通过", identified_name=mask_name("王小明"))
            self.values.update({"name": "王小明", "id_number": "500112199001011234"})

    def _on_next(self, _i: I.Next) -> None:
        kind = self.current.kind
        if kind == "identify":
            if self.phase == "face" and self.agent:
                return self._identify("principal", "请放置被代办人的身份证",
                                      guidance="代办：请放置被代办人（委托人）的身份证")
            if self.phase in ("face", "done"):
                if not self.agent:
                    self.values.update({"name": "张三", "id_number": "500112198801019876"})
                return self._guide_or_form()
        elif kind == "notice":
            self.go(self.form_vm())
        elif kind == "form":
            missing = [f.label for f in self._fields() if f.required and not self.values.get(f.id)]
            if missing:
                return self.publish(replace(self.form_vm(), error="请填写：" + "、".join(missing[:3])))
            self.go(self.materials_vm())
        elif kind == "materials":
            if self.item and self.item.signature.required:
                self.go(self.vm(V.SignatureVM, item_name=self.item.name, statement=self.item.signature.statement or
                                "本人承诺所填信息和提交材料真实有效", signer=mask_name(self.values.get("name", "")),
                                speak="请在框内签名"))
            else:
                self.go(self.confirm_vm())
        elif kind == "receipt":
            self.go(self.vm(V.EvaluateVM, speak="请对本次服务进行评价"))
        elif kind == "help":
            self._finish()

    def _guide_or_form(self) -> None:
        assert self.item is not None
        if self.item.questions:
            self._ask(self.item.start_question or self.item.questions[0].id, 1)
        else:
            self.go(self.form_vm())

    def _ask(self, question_id: str, step: int) -> None:
        assert self.item is not None
        q = next(q for q in self.item.questions if q.id == question_id)
        self.go(self.vm(V.GuideVM, item_name=self.item.name, question_id=q.id, question=q.text, help=q.help or "",
                        options=tuple(V.Option(o.id, o.label) for o in q.options), step=step,
                        total=max(step, len(self.item.questions)), chosen=tuple(self.answers), can_back=True, speak=q.text))

    def _on_answer(self, i: I.Answer) -> None:
        assert self.item is not None
        q = next(q for q in self.item.questions if q.id == i.question)
        option = q.option(i.option)
        self.answers.append(V.SummaryRow(q.text, option.label))
        if option.next:
            return self._ask(option.next, len(self.answers) + 1)
        self.situation = next((s for s in self.item.situations if s.id == option.situation), self.item.situations[0])
        mats = [m for m in self.item.materials if m.id in self.situation.materials]
        self.go(self.vm(V.NoticeVM, item_name=self.item.name, situation=self.situation.name,
                        materials=tuple(V.SummaryRow(m.name, f"原件{m.originals}份" + (f"，复印件{m.copies}份" if m.copies else ""))
                                        for m in mats), conditions=self.item.conditions[:3], speak="以下是您需要准备的材料"))

    def _fields(self) -> list:
        assert self.item is not None
        wanted = set(self.situation.fields) if self.situation else None
        return [f for f in self.item.fields if wanted is None or f.id in wanted][:7]

    def form_vm(self) -> V.FormVM:
        assert self.item is not None
        rows = []
        for f in self._fields():
            source = (f.prefill or "").split(".")[-1]  # e.g. identity.name: only what the ID card gave us
            if source in ("name", "id_number") and f.id not in self.values and (f.prefill or "").startswith("idcard"):
                self.values[f.id] = self.values.get(source, "")
            rows.append(V.FieldVM(f.id, f.label, f.type, self.values.get(f.id, ""), prefilled=bool(f.prefill),
                                  editable=f.editable, required=f.required, keyboard=KEYBOARD.get(f.type, "pinyin")))  # type: ignore[arg-type]
        return self.vm(V.FormVM, item_name=self.item.name, fields=tuple(rows), can_next=True, can_back=True,
                       speak="请核对并填写申请信息")

    def _on_setfield(self, i: I.SetField) -> None:
        self.values[i.field] = i.value
        self.publish(self.form_vm())

    def materials_vm(self, preview: bytes | None = None, outline: tuple = (), capturing: str | None = None) -> V.MaterialsVM:
        assert self.item is not None
        wanted = set(self.situation.materials) if self.situation else {m.id for m in self.item.materials}
        mats = [m for m in self.item.materials if m.id in wanted][:4]
        rows = tuple(V.MaterialVM(m.id, m.name, self.material_state.get(m.id, "pending"),  # type: ignore[arg-type]
                                  tuple(V.Option(s, SOURCES.get(s, s)) for s in m.capture if s != "generated"),
                                  originals=m.originals, copies=m.copies,
                                  pages=1 if self.material_state.get(m.id) == "captured" else 0) for m in mats)
        done = all(r.status in ("captured", "elicense") for r in rows)
        return self.vm(V.MaterialsVM, item_name=self.item.name, materials=rows, preview_jpeg=preview, outline=outline,
                       capturing=capturing, can_next=done, can_back=True, speak="请提交以下材料")

    def _on_useelicense(self, i: I.UseElicense) -> None:
        self.material_state[i.material] = "elicense"
        self.publish(self.materials_vm())

    def _on_capture(self, i: I.Capture) -> None:
        self.material_state[i.material] = "captured"
        jpeg, corners = page_on_desk()
        self.publish(self.materials_vm(jpeg, corners, i.source if i.source != "scanner" else None))

    def _on_sign(self, i: I.Sign) -> None:
        self.signature_png = i.png
        self.go(self.confirm_vm())

    def confirm_vm(self) -> V.ConfirmVM:
        assert self.item is not None
        deliveries = tuple(V.Option(d.method, DELIVERIES.get(d.method, d.method)) for d in self.item.delivery)
        self.delivery = self.delivery or deliveries[0].id
        rows = [V.SummaryRow("申请人", mask_name(self.values.get("name", "")), "基本信息"),
                V.SummaryRow("证件号码", mask_id_number(self.values.get("id_number", "")), "基本信息")]
        rows += [V.SummaryRow(a.label, a.value, "办理情形") for a in self.answers]
        rows += [V.SummaryRow(m.name, {"captured": "已采集", "elicense": "电子证照"}.get(m.status, m.status), "材料")
                 for m in self.materials_vm().materials]
        return self.vm(V.ConfirmVM, item_name=self.item.name, rows=tuple(rows), modes=(), mode="", deliveries=deliveries,
                       delivery=self.delivery, time_limit="5个工作日", fees="不收费", can_back=True,
                       routing_note="本终端受理（代办）" if self.agent else "本终端受理", speak="请确认申请信息")

    def _on_confirm(self, _i: I.Confirm) -> None:
        self.go(self.vm(V.ProgressVM, message="正在提交，请稍候", speak="正在提交，请稍候"))
        threading.Timer(self.delay_s, self._accepted).start()  # the controller answers from its own thread too

    def _accepted(self) -> None:
        from drivers.printer.render import render_document
        from kiosk.receipts import AcceptanceReceipt, MaterialReceived, build_acceptance_receipt

        assert self.item is not None
        number = f"YKB{datetime.now():%Y%m%d%H%M%S}{len(self.receipts):03d}"
        document = build_acceptance_receipt(AcceptanceReceipt(
            case_number=number, item_name=self.item.name, applicant_name=self.values.get("name", ""),
            accepted_at=datetime.now(), terminal_id=self.terminal_id, hall=self.hall,
            progress_url=f"https://zwykb.cq.gov.cn/q/{number}", delivery=DELIVERIES.get(self.delivery, self.delivery),
            materials=tuple(MaterialReceived(m.name, form="电子证照" if m.status == "elicense" else "高拍件")
                            for m in self.materials_vm().materials),
            applicant_id_number=self.values.get("id_number", ""), time_limit="5个工作日", department=self.item.department))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / f"receipt-{number}.png"
        path.write_bytes(render_document(document).png())
        self.receipts.append(path)
        self.publish(self.vm(V.ReceiptVM, item_name=self.item.name, receipt_number=number, receipt_png_path=str(path),
                             printed=True, way_forward="可扫描回执二维码查询办理进度", can_cancel=False,
                             speak="申请已受理，请取走回执"))

    def _on_evaluate(self, i: I.Evaluate) -> None:
        self.publish(self.vm(V.EvaluateVM, score=i.score, submitted=True, speak="感谢您的评价"))

    def _on_finish(self, _i: I.Finish) -> None:
        self._finish()

    def _on_cancel(self, _i: I.Cancel) -> None:
        self._finish()

    def _finish(self) -> None:
        self._reset()
        self.publish(self.attract())

    def _on_back(self, _i: I.Back) -> None:
        if self.history:
            self.publish(self.history.pop())
        else:
            self.publish(self.home())

    def _on_toggleelder(self, _i: I.ToggleElder) -> None:
        self.elder = not self.elder
        self.publish(replace(self.current, elder_mode=self.elder))

    def _on_help(self, _i: I.Help) -> None:
        self.go(self.vm(V.HelpVM, requested=True, request_id=f"H{int(time.time()) % 100000:05d}",
                        speak="已呼叫帮办人员，请稍候"))

    def _on_openservice(self, i: I.OpenService) -> None:
        if i.service == "case_status":
            self.go(self.vm(V.CaseStatusVM))
        elif i.service == "centres":
            self.go(self.centres_vm())
        elif i.service == "faq":
            self.go(self.faq_vm(""))
        elif i.service == "help":
            self._on_help(I.Help())

    def show_case(self) -> None:
        """The reader/scanner produced a query (the demo panel or a journey calls this)."""
        number = self.receipts[-1].stem.split("-")[-1] if self.receipts else "YKB20261126000000"
        steps = (V.SummaryRow("受理", "已完成"), V.SummaryRow("审核", "办理中"), V.SummaryRow("办结", "待办"))
        self.publish(self.vm(V.CaseStatusVM, phase="result", cases=(V.CaseRow(number, "社会保障卡申领及补领、换领",
                                                                                 "review", "审核中", "今天", "渝北区", steps),)))

    def centres_vm(self) -> V.CentresVM:
        seed = json.loads((REPO / "kiosk/platform/emulator/seed/centres.json").read_text(encoding="utf-8"))["centres"]
        here = next((c for c in seed if c["district_code"] == "500112"), seed[0])
        rows = []
        for c in seed:
            x = (c["lon"] - here["lon"]) * 111_320 * math.cos(math.radians(here["lat"]))
            y = (c["lat"] - here["lat"]) * 110_540
            rows.append(V.CentreRow(c["centre_id"], c["name"], c["address"], c["district_code"], int(math.hypot(x, y)),
                                    x, y, c.get("hours", ""), c.get("phone", "")))
        rows.sort(key=lambda r: r.distance_m)
        return self.vm(V.CentresVM, hall_name=self.hall, centres=tuple(rows[:6]), speak="以下是离您最近的服务网点")

    def faq_vm(self, query: str) -> V.FaqVM:
        hits: tuple[V.FaqHit, ...] = ()
        if query:
            from kiosk.knowledge import KnowledgeBase

            if self._kb is None:
                self._kb = KnowledgeBase.build(REPO / "config" / "faq", ":memory:")
            hits = tuple(V.FaqHit(h.id, h.question, h.answer, h.topic) for h in self._kb.search(query, 3))
        return self.vm(V.FaqVM, query=query, hits=hits, suggestions=("社保卡丢了怎么补办", "异地就医怎么备案"),
                       speak="请输入您想咨询的问题")

    def _on_submittext(self, i: I.SubmitText) -> None:
        if self.current.kind == "faq":
            self.publish(self.faq_vm(i.text))

    # ----- idle ---------------------------------------------------------------------------------
    def idle_warning(self, seconds_left: int = 20) -> None:
        self.publish(V.IdleWarningVM(seconds_left=seconds_left, elder_mode=self.elder,
                                     speak=f"还有{seconds_left}秒将退出"))

    def idle_timeout(self) -> None:
        self._finish()
