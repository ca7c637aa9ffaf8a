"""In service whenever a citizen can be served, through the real flow engine (sim devices, embedded platform).

A reader's status is set the way its driver reports it (``runner.report``), then put back: one broken
method hides only itself; all of them broken closes the terminal but 帮办 and the nearby terminals stay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.flows import intents as I
from kiosk.flows.availability import NO_METHOD_REASON
from kiosk.flows.controller import Controller
from kiosk.flows.viewmodels import AttractVM, HelpVM, HomeVM, IdentifyVM, ViewModel
from kiosk.terminal.facade import Terminal
from kiosk.terminal.status import DeviceClass, DeviceState

from tests.flows.conftest import Harness

HOUSEHOLD = "00010900200001"  # 户籍证明出具: 二代证 + face, 渝快码, 社保卡, 代办
READERS = (DeviceClass.ID_CARD_READER, DeviceClass.CHIP_CARD_READER, DeviceClass.BARCODE_READER)


@contextmanager
def broken(terminal: Terminal, *classes: DeviceClass) -> Iterator[None]:
    for cls in classes:
        terminal.devices[cls].runner.report(DeviceState.HARDWARE_ERROR, "test: reader fault")
    try:
        yield
    finally:
        for cls in classes:
            terminal.devices[cls].runner.report(DeviceState.ONLINE)


def test_one_broken_reader_hides_its_method_and_offers_the_others(harness: Harness) -> None:
    seen: list[ViewModel] = []
    terminal = harness.sim.services.terminal

    async def scenario() -> tuple[ViewModel, ViewModel, ViewModel]:
        controller = Controller(harness.sim.services, seen.append)
        with broken(terminal, DeviceClass.ID_CARD_READER):
            controller.attract()
            attract = seen[-1]
            await controller.send(I.Touch())
            await controller.send(I.Start(HOUSEHOLD))
            identify = seen[-1]
            await controller.send(I.Choose("method", "idcard_face"))  # a stale tap on the hidden method
            refused = seen[-1]
            await controller.end("cancelled")
        return attract, identify, refused

    attract, identify, refused = harness.call(scenario)
    assert isinstance(attract, AttractVM) and not attract.out_of_service and attract.high_frequency
    assert isinstance(identify, IdentifyVM) and [o.id for o in identify.methods] == ["ykm", "sscard"]
    assert identify.notice == "身份证读卡器暂不可用，请使用渝快码或社保卡" and identify.speak == identify.notice
    assert not identify.principal_card and identify.can_agent  # 代办 stays; its principal is then typed in
    assert isinstance(refused, IdentifyVM) and refused.error.startswith("身份证读卡器暂不可用") and refused.phase == "choose"


def test_no_method_left_closes_the_terminal_but_offers_help_and_nearby_terminals(harness: Harness) -> None:
    seen: list[ViewModel] = []
    terminal = harness.sim.services.terminal

    async def scenario() -> tuple[AttractVM, ViewModel, AttractVM, ViewModel]:
        controller = Controller(harness.sim.services, seen.append)
        with broken(terminal, *READERS):
            controller.attract()
            first = seen[-1]
            assert isinstance(first, AttractVM)
            for _ in range(200):  # the nearby list comes from the platform in the background
                if isinstance(seen[-1], AttractVM) and seen[-1].nearby:
                    break
                await asyncio.sleep(0.02)
            with_nearby = seen[-1]
            assert isinstance(with_nearby, AttractVM)
            await controller.send(I.Touch())  # no session starts
            after_touch = seen[-1]
            await controller.send(I.Help())  # … but 帮办 does
            helped = seen[-1]
            await controller.end("finished")
        return first, after_touch, with_nearby, helped

    first, after_touch, with_nearby, helped = harness.call(scenario)
    assert first.out_of_service and first.out_of_service_reason == NO_METHOD_REASON
    assert after_touch is with_nearby  # the touch published nothing
    assert len(with_nearby.nearby) == 3 and with_nearby.nearby[0].label == "渝北区政务服务中心" and "本大厅" in with_nearby.nearby[0].detail
    assert isinstance(helped, HelpVM) and helped.requested


def test_recovery_is_back_in_service_at_the_next_draw(harness: Harness) -> None:
    seen: list[ViewModel] = []
    terminal = harness.sim.services.terminal

    async def scenario() -> tuple[ViewModel, ViewModel, ViewModel]:
        controller = Controller(harness.sim.services, seen.append)
        with broken(terminal, DeviceClass.ID_CARD_READER, DeviceClass.BARCODE_READER):
            with broken(terminal, DeviceClass.CHIP_CARD_READER):
                controller.attract()
                closed = seen[-1]
            controller.attract()  # the 社保卡 reader is back: one method is enough
            reopened = seen[-1]
            await controller.send(I.Touch())
            home = seen[-1]
            await controller.end("cancelled")
        return closed, reopened, home

    closed, reopened, home = harness.call(scenario)
    assert isinstance(closed, AttractVM) and closed.out_of_service
    assert isinstance(reopened, AttractVM) and not reopened.out_of_service and reopened.out_of_service_reason == ""
    assert isinstance(home, HomeVM)
