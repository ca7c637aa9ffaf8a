"""StepContext: exactly what a flow step (materials capture, submit/receipt/evaluate) works with.

Why: a step used to get its owner (the ``ItemFlow``) and reach through it for anything — the whole
FlowServices, the machine, other steps — which made itemflow ↔ capture ↔ submit_step one tangle.
A step now gets this dataclass: the item's plan and record, the session (temp files), the devices,
the platform link, the terminal's identity, the live preview, the owner of background tasks, and ``FlowControl`` — the few things
it may ask of the flow that runs it (show a screen, move the state machine, checkpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kiosk.flows.background import BackgroundTasks
from kiosk.flows.live import LivePreview
from kiosk.flows.plan import Plan
from kiosk.flows.record import FlowRecord
from kiosk.flows.session import Session
from kiosk.flows.states import FlowState
from kiosk.flows.viewmodels import Action, ViewModel
from kiosk.settings.model import TerminalSection
from kiosk.terminal.facade import Terminal
from kiosk.terminal.platform.link import PlatformLink


class FlowControl(Protocol):
    """The running flow as a step sees it."""

    @property
    def state(self) -> FlowState: ...

    @property
    def finished(self) -> bool: ...

    @property
    def elder(self) -> bool: ...

    def show(self, vm: ViewModel) -> None: ...

    def message(self, text: str, level: str = ..., actions: tuple[Action, ...] = ...) -> None: ...

    def go(self, target: FlowState, reason: str) -> None: ...

    def save(self) -> None: ...

    async def districts(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class StepContext:
    plan: Plan
    record: FlowRecord
    session: Session
    terminal: Terminal
    link: PlatformLink
    site: TerminalSection  # hall and receiving district (receipts, routing)
    live: LivePreview
    tasks: BackgroundTasks  # owner of work that outlives a step's call (the 办件号 arriving later)
    flow: FlowControl
