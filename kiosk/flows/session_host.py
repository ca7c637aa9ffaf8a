"""SessionHost: the controller as the citizen services and a technician's visit see it.

Why a protocol: ``CitizenServices`` and ``Maintenance`` are owned by the ``Controller`` and need a
few of its things (the session, the running flow, publishing, ending the session). Typed against
this protocol they no longer import the controller back (controller ↔ services ↔ maintenance ↔
handover was one import cycle), and what they may touch is written down here.
"""

from __future__ import annotations

from typing import Protocol

from kiosk.flows.background import BackgroundTasks
from kiosk.flows.itemflow import ItemFlow
from kiosk.flows.session import Session
from kiosk.flows.viewmodels import ViewModel
from kiosk.flows.wiring import FlowServices


class SessionHost(Protocol):
    services: FlowServices
    tasks: BackgroundTasks  # owner of anything started and not awaited on the spot
    session: Session | None
    flow: ItemFlow | None
    view: ViewModel | None  # the last view-model published

    @property
    def elder(self) -> bool: ...

    def publish(self, vm: ViewModel) -> None: ...

    def home(self, query: str = "", category: str | None = None) -> None: ...

    def attract(self) -> None: ...

    async def end(self, reason: str, *, force: bool = False) -> None: ...
