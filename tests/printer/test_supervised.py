"""The receipt printer under the device supervisor: it heals itself, and its status follows the paper and the power."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from drivers.printer.service import EscPosPrinter
from kiosk.terminal import DeviceClass, DeviceSpec, DeviceUrl, EventBus, build_device
from kiosk.terminal.receipt import ReceiptDocument
from kiosk.terminal.status import DeviceState
from kiosk.terminal.supervisor import DeviceSupervisor
from sim.devices.printer.emulator import PrinterEmulator

BOUND_S = 10.0  # generous: measured 2.5 s (paper, power on) and ≤ 4 s (power off) on an idle host


async def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    start = loop.time()
    while loop.time() - start < timeout:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


async def test_paper_loaded_and_power_cycled_show_in_the_status_without_a_print() -> None:
    emu = PrinterEmulator("127.0.0.1", 0)
    emu.set_paper("out")  # out of paper when the terminal starts
    emu.start()
    bus = EventBus()
    p = build_device(DeviceSpec("printer", DeviceClass.RECEIPT_PRINTER, DeviceUrl.parse(f"tcp://127.0.0.1:{emu.port}"), timeout_s=5), bus)
    assert isinstance(p, EscPosPrinter)
    supervisor = DeviceSupervisor({"printer": p}, bus)
    try:
        assert (await p.open()).ok and p.status().state is DeviceState.USER_ERROR
        await supervisor.start()
        assert p.monitoring
        emu.set_paper("ok")  # staff loads paper
        assert await wait_until(lambda: p.status().state is DeviceState.ONLINE, BOUND_S), p.status()
        emu.stop()  # switched off
        assert await wait_until(lambda: p.status().state is DeviceState.OFFLINE, BOUND_S), p.status()
        emu.start()  # back on, same port
        assert await wait_until(lambda: p.status().state is DeviceState.ONLINE, BOUND_S), p.status()
        assert (await p.print_document(ReceiptDocument().text("恢复").cut())).ok
    finally:
        await supervisor.stop()
        await p.close()
        emu.stop()
    assert not p.monitoring
