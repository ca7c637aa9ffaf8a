"""为他人代办 on the identify screen: Start(code, agent=True) restarts the item being identified as 代办,
in the same session; it does nothing for another item, an item without 代办, or a flow already in 代办."""

from __future__ import annotations

from kiosk.flows import intents as I
from kiosk.flows.controller import Controller
from kiosk.flows.states import FlowState
from kiosk.flows.viewmodels import IdentifyVM, ViewModel

from tests.flows.conftest import Harness

HOUSEHOLD = "00010900200001"  # 户籍证明出具: accepts 代办
HOUSING_FUND = "00012700100001"  # 公积金缴存证明: only the applicant


def test_agent_button_restarts_the_item_as_agent_in_the_same_session(harness: Harness) -> None:
    seen: list[ViewModel] = []

    async def scenario() -> tuple:
        controller = Controller(harness.sim.services, seen.append)
        await controller.send(I.Touch())
        await controller.send(I.ToggleElder())
        await controller.send(I.Start(HOUSEHOLD))
        first, session = controller.flow, controller.session
        before = seen[-1]
        await controller.send(I.Start(HOUSEHOLD, agent=True))
        second = controller.flow
        after = seen[-1]
        await controller.send(I.Start(HOUSEHOLD, agent=True))  # a double tap: already 代办
        third = controller.flow
        await controller.send(I.Start(HOUSING_FUND, agent=True))  # another item: the running flow stays
        fourth = controller.flow
        await controller.end("cancelled")
        return first, second, third, fourth, session, controller.session, before, after, session.elder_mode

    first, second, third, fourth, session, _, before, after, elder = harness.call(scenario)
    assert isinstance(before, IdentifyVM) and before.can_agent and before.item_code == HOUSEHOLD and before.role == "applicant"
    assert first is not second and first.state is FlowState.CANCELLED and second.record.agent
    assert isinstance(after, IdentifyVM) and after.role == "agent" and not after.can_agent and after.elder_mode and elder
    assert third is second and fourth is second


def test_items_without_agent_offer_no_agent_button(harness: Harness) -> None:
    seen: list[ViewModel] = []

    async def scenario() -> object:
        controller = Controller(harness.sim.services, seen.append)
        await controller.send(I.Touch())
        await controller.send(I.Start(HOUSING_FUND))
        flow = controller.flow
        await controller.send(I.Start(HOUSING_FUND, agent=True))
        same = controller.flow is flow
        await controller.end("cancelled")
        return same

    assert harness.call(scenario)
    shown = [v for v in seen if isinstance(v, IdentifyVM)]
    assert shown and not any(v.can_agent for v in shown)
