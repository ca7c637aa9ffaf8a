"""帮办: call a hall assistant to the terminal (the item and step the citizen is at go along)."""

from __future__ import annotations

from typing import Any

from kiosk.errors import PlatformError
from kiosk.flows.citizen.desk import ServiceDesk
from kiosk.flows.viewmodels import HelpVM


class HelpRequest:
    def __init__(self, desk: ServiceDesk) -> None:
        self.desk = desk

    async def open(self) -> None:
        flow = self.desk.host.flow
        extra: dict[str, Any] = {}
        if flow is not None:
            extra = {"item_code": flow.plan.members[0].item.code, "step": flow.state.value}
        try:
            ticket = await self.desk.client.request_help("on_site", **extra)
        except PlatformError:
            sorry = "暂时无法呼叫，请到服务台求助"
            self.desk.show(HelpVM(elder_mode=self.desk.elder, speak=sorry, title="帮办", error=sorry))
            return
        wait = max(1, ticket.estimated_wait_s // 60)
        self.desk.show(HelpVM(elder_mode=self.desk.elder, speak=f"已呼叫帮办人员，预计{wait}分钟到达", title="帮办", requested=True,
                              request_id=ticket.request_id, message=f"已呼叫帮办人员，预计{wait}分钟内到达，请在终端旁稍候"))
