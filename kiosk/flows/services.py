"""The other citizen services: case status, appointment and queue ticket, nearby centres, FAQ,
办不成事 complaint, 帮办 help, and continue-on-mobile.

Each is a short exchange of intents and view-models; they share the controller's session (so the
same idle timeout and wipe apply) and never touch drivers except through the Terminal facade.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kiosk.errors import PlatformError
from kiosk.flows import intents as I
from kiosk.flows.handover import handover_vm
from kiosk.flows.identify import METHODS, IdentifyFailed
from kiosk.flows.session_host import SessionHost
from kiosk.flows.viewmodels import (
    AppointmentVM,
    CaseRow,
    CaseStatusVM,
    CentreRow,
    CentresVM,
    ComplaintVM,
    FaqHit,
    FaqVM,
    HandoverVM,
    HelpVM,
    Option,
    SummaryRow,
    TicketVM,
    ViewModel,
)
from kiosk.terminal.receipt import Align, ReceiptDocument

if TYPE_CHECKING:
    from kiosk.knowledge.base import KnowledgeBase

log = logging.getLogger(__name__)
CHINA = dt.timezone(dt.timedelta(hours=8))  # the halls' time: appointment days and slot labels
COMPLAINT_KINDS = (Option("cannot_handle", "办不成事"), Option("slow", "办事慢"), Option("attitude", "服务态度"),
                   Option("system_fault", "系统故障"), Option("other", "其他"))
_CASE_ID = re.compile(r"CQ\d{14}")
_RECEIPT = re.compile(r"[?&]r=([A-Za-z0-9-]{4,64})")


class CitizenServices:
    def __init__(self, host: SessionHost) -> None:
        self.c = host
        self.active = ""
        self.view: ViewModel | None = None
        self.person_token = ""
        self.centre = ""
        # service name (I.OpenService) → what opens it, and → what handles its screen's intents
        self._openers: dict[str, Callable[[], Awaitable[None]]] = {
            "case_status": self._open_case_status, "centres": self._open_centres, "appointment": self._open_appointment,
            "queue": self._open_queue, "faq": self._open_faq, "complaint": self._open_complaint, "help": self._open_help,
            "handover": self._open_handover,
        }
        self._handlers: dict[str, Callable[[I.Intent], Awaitable[None]]] = {
            "case_status": self._on_case_status, "appointment": self._on_appointment, "queue": self._on_queue,
            "faq": self._on_faq, "complaint": self._on_complaint,
        }

    @property
    def client(self) -> Any:
        return self.c.services.link.client

    def reset(self) -> None:
        self.active, self.view, self.person_token, self.centre = "", None, "", ""

    def show(self, vm: ViewModel) -> None:
        self.view = vm
        self.c.publish(vm)

    async def handle(self, intent: I.Intent) -> bool:
        """True if the intent was for a service (or closed one and restored the flow's screen)."""
        if isinstance(intent, I.Help):
            intent = I.OpenService("help")
        if isinstance(intent, I.Handover):
            intent = I.OpenService("handover")
        if isinstance(intent, I.OpenService):
            opener = self._openers.get(intent.service)
            if opener is None:
                log.warning("no citizen service %r", intent.service)
                return True
            self.active = intent.service
            await opener()
            return True
        if not self.active:
            return False
        if isinstance(intent, I.Cancel):  # 退出 on a service screen ends the session like anywhere else
            self.active, self.view = "", None
            return False
        if isinstance(intent, (I.Back, I.Finish)) or (isinstance(intent, I.Choose) and intent.value in ("back", "home")):
            self.active, self.view = "", None
            if self.c.flow is not None and self.c.flow.view is not None:
                self.c.publish(self.c.flow.view)
            elif isinstance(intent, I.Finish):
                await self.c.end("finished")
            else:
                self.c.home()
            return True
        handler = self._handlers.get(self.active)
        if handler is not None:
            await handler(intent)
            return True
        return False

    # ----- case status --------------------------------------------------------------------------
    async def _open_case_status(self) -> None:
        self.show(CaseStatusVM(elder_mode=self.c.elder, speak="请扫描回执上的二维码查询办理进度", title="办件查询"))

    async def _on_case_status(self, intent: I.Intent) -> None:
        if not (isinstance(intent, I.Choose) and intent.what == "method"):
            return
        if intent.value == "qr":
            self.show(CaseStatusVM(elder_mode=self.c.elder, speak="请将回执二维码对准扫码口", title="办件查询", phase="scan"))
            reader = self.c.services.terminal.barcode
            result = await reader.read_code() if reader else None
            if not result or not result.ok or result.data is None:
                self.show(CaseStatusVM(elder_mode=self.c.elder, speak="没有扫到二维码", title="办件查询", error="没有扫到二维码，请重试"))
                return
            rows = await self._cases_for_code(result.data.text)
        else:
            self.show(CaseStatusVM(elder_mode=self.c.elder, speak="请刷身份证并正对摄像头", title="办件查询", phase="idcard"))
            rows = await self._cases_for_person()
        if isinstance(rows, str):
            self.show(CaseStatusVM(elder_mode=self.c.elder, speak=rows, title="办件查询", error=rows))
            return
        speak = f"查到{len(rows)}件" + (f"，{rows[0].item_name}{rows[0].status_label}" if rows else "")
        self.show(CaseStatusVM(elder_mode=self.c.elder, speak=speak, title="办件查询", phase="result", cases=tuple(rows),
                               error="" if rows else "没有查到办件"))

    async def _cases_for_code(self, text: str) -> list[CaseRow] | str:
        case = _CASE_ID.search(text)
        if case:
            return await self._case_rows([case.group(0)])
        receipt = _RECEIPT.search(text)
        if not receipt:
            return "二维码不是办件回执，请扫描回执上的二维码"
        found = self._outbox_by_receipt(receipt.group(1))
        if found is None:
            return "本终端没有该回执的记录，请到窗口或渝快办APP查询"
        if not found["case_id"]:
            state = "已受理，正在上传" if found["state"] == "pending" else "已受理，等待人工处理"
            return [CaseRow(found["receipt"], "", found["state"], state)]
        return await self._case_rows([found["case_id"]])

    def _outbox_by_receipt(self, receipt: str) -> dict[str, Any] | None:
        with sqlite3.connect(f"file:{self.c.services.link.outbox.path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT receipt, case_id, state FROM outbox WHERE receipt = ?", (receipt,)).fetchone()
        return {"receipt": row[0], "case_id": row[1], "state": row[2]} if row else None

    async def _case_rows(self, case_ids: list[str]) -> list[CaseRow] | str:
        out = []
        for case_id in case_ids:
            try:
                case = await self.client.get_case(case_id)
            except PlatformError as exc:
                return getattr(exc, "message", "") or "暂时无法查询，请稍后再试"
            steps = tuple(SummaryRow(e.label, dt.datetime.fromtimestamp(e.at).strftime("%m-%d %H:%M")) for e in case.history)
            out.append(CaseRow(case.case_id, case.item_name, case.status, case.status_label,
                               dt.datetime.fromtimestamp(case.history[-1].at).strftime("%Y-%m-%d %H:%M"), case.handling_district, steps))
        return out

    async def _cases_for_person(self) -> list[CaseRow] | str:
        if not await self._identify():
            return "身份核验未通过，请重试"
        lister = getattr(self.client, "list_person_cases", None)
        if lister is None:
            return "按身份证查询暂未开通，请扫描回执二维码查询"
        try:
            cases = await lister(self.person_token)
        except PlatformError as exc:
            return getattr(exc, "message", "") or "暂时无法查询，请稍后再试"
        return await self._case_rows([c.case_id for c in cases][:10])

    async def _identify(self) -> bool:
        if self.person_token:
            return True
        async def phase(_: str, guidance: str) -> None:
            if self.view is not None:
                self.c.publish(replace(self.view, speak=guidance))
        try:
            identity = await METHODS["idcard_face"](self.c.services.terminal, self.client, phase, None, lambda: self.c.session is not None)
        except IdentifyFailed as exc:
            log.info("service identify failed: %s", exc)
            return False
        self.person_token = identity.person_token
        return True

    # ----- centres, appointment, queue ----------------------------------------------------------
    async def _hall(self) -> Any:
        caches = self.c.services.caches
        if caches.hall_centre is None:
            centres = await self.client.list_centres(district_code=self.c.services.district, limit=20)
            caches.hall_centre = next((x for x in centres if x.level == "district"), centres[0] if centres else None)
        return caches.hall_centre

    async def nearest(self, item_code: str | None = None, limit: int = 8) -> list[CentreRow]:
        hall = await self._hall()
        lat, lon = (hall.location.lat, hall.location.lon) if hall else (None, None)
        centres = await self.client.list_centres(item_code=item_code, lat=lat, lon=lon, limit=limit)
        rows = []
        for x in centres:
            dy = (x.location.lat - lat) * 111_320 if lat is not None else 0.0
            dx = (x.location.lon - lon) * 111_320 * math.cos(math.radians(lat)) if lat is not None else 0.0
            rows.append(CentreRow(x.centre_id, x.name, x.address, x.district_name, int((x.distance_km or 0) * 1000), dx, dy, x.hours, x.phone,
                                  (f"排队{x.queue_length}人",)))
        return rows

    async def _open_centres(self) -> None:
        try:
            rows = await self.nearest()
        except PlatformError:
            self.show(
                CentresVM(
                    elder_mode=self.c.elder,
                    speak="暂时无法获取网点信息",
                    title="附近网点",
                    hall_name=self.c.services.config.terminal.hall,
                    centres=(),
                )
            )
            return
        speak = f"离您最近的是{rows[0].name}，约{rows[0].distance_m}米" if rows else "没有找到网点"
        self.show(
            CentresVM(elder_mode=self.c.elder, speak=speak, title="附近网点", hall_name=self.c.services.config.terminal.hall, centres=tuple(rows))
        )

    async def _open_appointment(self) -> None:
        rows = await self.nearest(limit=5)
        self.show(
            AppointmentVM(
                elder_mode=self.c.elder,
                speak="请选择办事网点",
                title="预约取号",
                centres=tuple(Option(r.id, r.name, f"{r.distance_m}米") for r in rows),
            )
        )

    async def _open_queue(self) -> None:
        await self._open_appointment()

    async def _on_appointment(self, intent: I.Intent) -> None:
        vm = self.view if isinstance(self.view, AppointmentVM) else AppointmentVM()
        if isinstance(intent, I.Choose) and intent.what == "centre":
            self.centre = intent.value
            slots = await self._next_open_day(intent.value)
            options = (Option("now", "现场取号（今天）"),) + tuple(
                Option(str(s.start), dt.datetime.fromtimestamp(s.start, CHINA).strftime("%m-%d %H:%M"), f"余{s.available}") for s in slots
            )
            self.show(replace(vm, centre=intent.value, slots=options, speak="请选择现场取号或预约时间"))
        elif isinstance(intent, I.Choose) and intent.what == "slot" and self.centre:
            await self._ticket(vm, intent.value)

    async def _on_queue(self, intent: I.Intent) -> None:
        await self._on_appointment(intent)

    async def _next_open_day(self, centre: str) -> list[Any]:
        """Free slots of the first day after today (China time) that has any, within a week: asking only
        for tomorrow offered nothing on a Friday or Saturday, and UTC's date is a day behind before 08:00."""
        today = dt.datetime.now(CHINA).date()
        for ahead in range(1, 8):
            day = today + dt.timedelta(days=ahead)
            free = [s for s in await self.client.list_slots(centre, day.isoformat()) if s.available]
            if free:
                return free
        return []

    async def _ticket(self, vm: AppointmentVM, slot: str) -> None:
        try:
            if slot == "now":
                t = await self.client.take_queue_ticket(self.centre, priority="elder" if self.c.elder else "normal")
                ticket = TicketVM(
                    t.ticket_no,
                    t.centre_name,
                    waiting_ahead=t.waiting_ahead,
                    time=dt.datetime.fromtimestamp(t.issued_at).strftime("%H:%M"),
                    kind="queue",
                )
            else:
                if not await self._identify():
                    self.show(replace(vm, error="预约需要核验身份，请重试", speak="预约需要核验身份，请重试"))
                    return
                a = await self.client.book_appointment(
                    self.centre, self.c.flow.plan.members[0].item.code if self.c.flow else "00011200400001", int(slot), self.person_token
                )
                ticket = TicketVM(
                    a.check_in_code, a.centre_name, time=dt.datetime.fromtimestamp(a.slot_start).strftime("%m-%d %H:%M"), kind="appointment"
                )
        except PlatformError as exc:
            self.show(replace(vm, error=getattr(exc, "message", "") or "暂时无法取号", speak="暂时无法取号"))
            return
        printed = await self._print_ticket(ticket)
        self.show(replace(vm, ticket=ticket, printed=printed, speak=f"您的号码是{ticket.number}"))

    async def _print_ticket(self, ticket: TicketVM) -> bool:
        printer = self.c.services.terminal.printer
        if printer is None:
            return False
        doc = ReceiptDocument(title=f"排队号 {ticket.number}")
        doc.text("预约凭证" if ticket.kind == "appointment" else "排队号", Align.CENTER, bold=True, width=2, height=2)
        doc.text(ticket.number, Align.CENTER, bold=True, width=3, height=3)
        doc.kv("网点", ticket.centre)
        doc.kv("时间", ticket.time)
        if ticket.kind == "queue":
            doc.kv("前面等候", f"{ticket.waiting_ahead}人")
        doc.cut()
        return (await printer.print_document(doc)).ok

    # ----- FAQ, complaint, help, handover -------------------------------------------------------
    def knowledge(self) -> KnowledgeBase:
        services = self.c.services
        return services.caches.knowledge(services.faq_dir, services.data_dir / "knowledge.db")

    async def _open_faq(self) -> None:
        self.show(
            FaqVM(
                elder_mode=self.c.elder,
                speak="请说出或输入您的问题",
                title="常见问题",
                suggestions=("社保卡丢了怎么办", "怎么打印参保证明", "异地就医怎么备案"),
            )
        )

    async def _on_faq(self, intent: I.Intent) -> None:
        if isinstance(intent, (I.SubmitText, I.Search)):
            query = intent.text if isinstance(intent, I.SubmitText) else intent.query
            hits = tuple(FaqHit(h.id, h.question, h.answer, h.topic, h.items[0] if h.items else "") for h in self.knowledge().search(query, 5))
            speak = hits[0].answer if hits else "没有找到相关问题，可以点帮办请工作人员协助"
            self.show(FaqVM(elder_mode=self.c.elder, speak=speak, title="常见问题", query=query, hits=hits))

    async def _open_complaint(self) -> None:
        self.show(
            ComplaintVM(
                elder_mode=self.c.elder,
                speak="请告诉我们您遇到的问题，我们会在规定时间内回复",
                title="办不成事反映",
                categories=COMPLAINT_KINDS,
                category="cannot_handle",
            )
        )

    async def _on_complaint(self, intent: I.Intent) -> None:
        vm = self.view if isinstance(self.view, ComplaintVM) else ComplaintVM()
        if isinstance(intent, I.SubmitText):
            if len(intent.text.strip()) < 5:
                self.show(replace(vm, error="请至少写5个字说明情况", speak="请至少写5个字说明情况"))
                return
            extra: dict[str, Any] = {"centre_id": (await self._hall()).centre_id} if await self._hall() else {}
            if intent.phone:
                extra["contact_phone"] = intent.phone
            if self.c.flow is not None:
                extra["item_code"] = self.c.flow.plan.members[0].item.code
            try:
                result = await self.client.file_complaint(intent.category or vm.category or "cannot_handle", intent.text.strip(), **extra)
            except PlatformError as exc:
                self.show(replace(vm, error=getattr(exc, "message", "") or "暂时无法提交，请拨打12345", speak="暂时无法提交"))
                return
            self.show(
                replace(
                    vm,
                    submitted=True,
                    reference=result.complaint_id,
                    text=intent.text,
                    error="",
                    speak=f"已收到您的反映，将在{result.reply_deadline}前回复",
                )
            )

    async def _open_help(self) -> None:
        flow = self.c.flow
        extra: dict[str, Any] = {}
        if flow is not None:
            extra = {"item_code": flow.plan.members[0].item.code, "step": flow.state.value}
        try:
            ticket = await self.client.request_help("on_site", **extra)
        except PlatformError:
            self.show(HelpVM(elder_mode=self.c.elder, speak="暂时无法呼叫，请到服务台求助", title="帮办", error="暂时无法呼叫，请到服务台求助"))
            return
        wait = max(1, ticket.estimated_wait_s // 60)
        self.show(
            HelpVM(
                elder_mode=self.c.elder,
                speak=f"已呼叫帮办人员，预计{wait}分钟到达",
                title="帮办",
                requested=True,
                request_id=ticket.request_id,
                message=f"已呼叫帮办人员，预计{wait}分钟内到达，请在终端旁稍候",
            )
        )

    async def _open_handover(self) -> None:
        flow = self.c.flow
        creator = getattr(self.client, "create_handover", None)
        if flow is None or flow.record.identity is None or creator is None:
            self.show(
                HandoverVM(
                    elder_mode=self.c.elder,
                    speak="请先完成身份核验",
                    title="手机继续办",
                    item_name=flow.plan.name if flow else "",
                    qr_payload="",
                    expires_in_s=0,
                )
            )
            return
        self.show(await handover_vm(self.c.elder, flow, creator))
