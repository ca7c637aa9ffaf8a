"""帮办: call a hall assistant to the terminal (the item and step the citizen is at go along) at once;
the citizen may switch to the other ways the platform offers (its HelpRequest.kind): a video call queued
for the terminal, or a phone call back to a number they type."""

from __future__ import annotations

from typing import Any

from kiosk.errors import PlatformError
from kiosk.flows import intents as I
from kiosk.flows.citizen.desk import ServiceDesk
from kiosk.flows.viewmodels import HelpVM, Option
from kiosk.privacy import mask_phone

HELP_MODES = (Option("on_site", "现场帮办"), Option("remote_video", "视频帮办"), Option("phone_callback", "电话回拨"))


class HelpRequest:
    def __init__(self, desk: ServiceDesk) -> None:
        self.desk = desk

    def _vm(self, speak: str, **fields: Any) -> HelpVM:
        return HelpVM(elder_mode=self.desk.elder, speak=speak, title="帮办", modes=HELP_MODES, **fields)

    async def open(self) -> None:
        await self._request("on_site")

    async def on(self, intent: I.Intent) -> None:
        if isinstance(intent, I.Choose) and intent.what == "help_mode" and intent.value == "phone_callback":
            self.desk.show(self._vm("请输入您的手机号码，工作人员将给您回电", mode="phone_callback", needs_phone=True,
                                    message="请输入您的手机号码，工作人员将给您回电"))
        elif isinstance(intent, I.Choose) and intent.what == "help_mode" and intent.value in ("on_site", "remote_video"):
            await self._request(intent.value)
        elif isinstance(intent, I.SubmitText) and intent.phone:
            await self._request("phone_callback", contact_phone=intent.phone)

    async def _request(self, kind: str, **more: Any) -> None:
        flow = self.desk.host.flow
        extra: dict[str, Any] = dict(more)
        if flow is not None:
            extra.update(item_code=flow.plan.members[0].item.code, step=flow.state.value)
        try:
            ticket = await self.desk.client.request_help(kind, **extra)
        except PlatformError:
            sorry = "暂时无法呼叫，请到服务台求助"
            self.desk.show(self._vm(sorry, mode=kind, error=sorry, needs_phone=kind == "phone_callback"))
            return
        wait = max(1, ticket.estimated_wait_s // 60)
        if kind == "remote_video":
            message = f"已为您排队视频帮办，预计{wait}分钟内接通，请留在终端前"
        elif kind == "phone_callback":
            message = f"已登记电话回拨，工作人员将拨打{mask_phone(more.get('contact_phone', ''))}"
        else:
            message = f"已呼叫帮办人员，预计{wait}分钟内到达，请在终端旁稍候"
        self.desk.show(self._vm(message, requested=True, request_id=ticket.request_id, message=message, mode=kind))
