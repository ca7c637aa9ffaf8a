"""手机继续办: the screen that hands the running flow to 渝快办 on the phone (``kiosk.flows.handover``
builds the QR); only an identified citizen's flow can be handed over."""

from __future__ import annotations

from kiosk.flows.citizen.desk import ServiceDesk
from kiosk.flows.handover import handover_vm
from kiosk.flows.viewmodels import HandoverVM


class ContinueOnMobile:
    def __init__(self, desk: ServiceDesk) -> None:
        self.desk = desk

    async def open(self) -> None:
        flow = self.desk.host.flow
        creator = getattr(self.desk.client, "create_handover", None)
        if flow is None or flow.record.identity is None or creator is None:
            self.desk.show(HandoverVM(elder_mode=self.desk.elder, speak="请先完成身份核验", title="手机继续办",
                                      item_name=flow.plan.name if flow else "", qr_payload="", expires_in_s=0))
            return
        self.desk.show(await handover_vm(self.desk.elder, flow, creator))
