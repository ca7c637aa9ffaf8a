"""办不成事反映: a complaint filed with the platform (hall, item and contact phone attached when known)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kiosk.errors import PlatformError
from kiosk.flows import intents as I
from kiosk.flows.citizen.centres import Centres
from kiosk.flows.citizen.desk import ServiceDesk
from kiosk.flows.viewmodels import ComplaintVM, Option

COMPLAINT_KINDS = (Option("cannot_handle", "办不成事"), Option("slow", "办事慢"), Option("attitude", "服务态度"),
                   Option("system_fault", "系统故障"), Option("other", "其他"))
MIN_TEXT = 5  # characters: enough to say what went wrong


class Complaint:
    def __init__(self, desk: ServiceDesk, centres: Centres) -> None:
        self.desk = desk
        self.centres = centres

    async def open(self) -> None:
        self.desk.show(ComplaintVM(elder_mode=self.desk.elder, speak="请告诉我们您遇到的问题，我们会在规定时间内回复", title="办不成事反映",
                                   categories=COMPLAINT_KINDS, category="cannot_handle"))

    async def on(self, intent: I.Intent) -> None:
        view = self.desk.view
        vm = view if isinstance(view, ComplaintVM) else ComplaintVM()
        if not isinstance(intent, I.SubmitText):
            return
        text = intent.text.strip()
        if len(text) < MIN_TEXT:
            self.desk.show(replace(vm, error="请至少写5个字说明情况", speak="请至少写5个字说明情况"))
            return
        hall = await self.centres.hall()
        extra: dict[str, Any] = {"centre_id": hall.centre_id} if hall else {}
        if intent.phone:
            extra["contact_phone"] = intent.phone
        flow = self.desk.host.flow
        if flow is not None:
            extra["item_code"] = flow.plan.members[0].item.code
        try:
            result = await self.desk.client.file_complaint(intent.category or vm.category or "cannot_handle", text, **extra)
        except PlatformError as exc:
            self.desk.show(replace(vm, error=getattr(exc, "message", "") or "暂时无法提交，请拨打12345", speak="暂时无法提交"))
            return
        self.desk.show(replace(vm, submitted=True, reference=result.complaint_id, text=intent.text, error="",
                               speak=f"已收到您的反映，将在{result.reply_deadline}前回复"))
