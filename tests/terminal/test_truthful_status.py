"""The base class never overwrites what the driver reported; transient faults do not make a hardware error."""

from __future__ import annotations

from typing import Any

from kiosk.errors import ProtocolError
from kiosk.terminal import CancelToken, Completion, DeviceClass, DeviceService, DeviceState, EventBus, RecoveryAction
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.error_codes import CommonError
from kiosk.terminal.events import Error, StatusChanged


class PaperOutPrinter(DeviceService):
    """Opens fine, but reports paper out while opening (like an ESC/POS status query at open)."""

    device_class = DeviceClass.RECEIPT_PRINTER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paper = "out"

    def _report_paper(self) -> None:
        if self.paper == "out":
            self.runner.report(DeviceState.USER_ERROR, "paper out", paper="out")

    def _do_open(self, token: CancelToken) -> None:
        self._report_paper()

    def _do_reset(self, token: CancelToken) -> None:
        self._report_paper()


class Flaky(DeviceService):
    """A device whose answers are garbled ``faults`` times, then good."""

    device_class = DeviceClass.ID_CARD_READER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.faults = 0

    async def ask(self) -> Completion[str]:
        def work(token: CancelToken) -> str:
            if self.faults:
                self.faults -= 1
                raise ProtocolError("checksum error in the answer")
            return "ok"

        return await self._execute("ask", work, 1.0)


async def test_open_keeps_the_state_the_driver_reported() -> None:
    printer = PaperOutPrinter("printer", EventBus())
    opened = await printer.open()
    assert opened.ok
    assert printer.status().state is DeviceState.USER_ERROR and printer.status().detail["paper"] == "out"
    assert (await printer.reset()).ok
    assert printer.status().state is DeviceState.USER_ERROR
    printer.paper = "ok"
    assert (await printer.reset()).ok
    assert printer.status().state is DeviceState.ONLINE  # nothing reported: a good reset rests online
    await printer.close()


async def test_one_transient_fault_keeps_the_device_online_a_run_of_them_does_not() -> None:
    bus = EventBus()
    device = Flaky("idcard", bus)
    assert (await device.open()).ok
    device.faults = 1
    glitch = await device.ask()
    assert glitch.code is CompletionCode.HARDWARE_ERROR and glitch.action is RecoveryAction.RETRY and glitch.transient
    assert glitch.error_code is CommonError.PROTOCOL
    assert device.status().state is DeviceState.ONLINE
    assert not bus.recent((Error,))
    assert (await device.ask()).ok
    device.faults = 3
    for _ in range(3):
        await device.ask()
    assert device.status().state is DeviceState.HARDWARE_ERROR
    assert "3 faults in a row" in device.status().description
    assert len(bus.recent((Error,))) == 1
    assert (await device.ask()).ok
    assert device.status().state is DeviceState.ONLINE
    await device.close()


async def test_each_state_change_is_published_once() -> None:
    bus = EventBus()
    device = Flaky("idcard", bus)
    await device.open()
    before = len(bus.recent((StatusChanged,)))
    for _ in range(5):
        assert (await device.probe()).code is CompletionCode.UNSUPPORTED  # no probe: not even a busy flicker
    assert len(bus.recent((StatusChanged,))) == before
    await device.close()
