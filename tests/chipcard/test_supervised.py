"""The supervised 社保卡 reader (real pcscd + vpcd): unplugged → no_device, back → online, each within 5 s."""

from __future__ import annotations

import asyncio

from drivers.chipcard.service import ChipCardService
from kiosk.terminal.events import EventBus
from kiosk.terminal.status import DeviceState
from kiosk.terminal.supervisor import DeviceSupervisor
from sim.devices.chipcard.pcscd import PcscDaemon

HOTPLUG_BOUND_S = 5.0


async def _state_within(device: ChipCardService, state: DeviceState, timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if device.status().state is state:
            return True
        await asyncio.sleep(0.02)
    return device.status().state is state


async def test_reader_unplugged_and_back_under_the_supervisor(owned_pcscd: PcscDaemon, reader: ChipCardService, bus: EventBus) -> None:
    supervisor = DeviceSupervisor({"chipcard": reader}, bus)
    await supervisor.start()
    try:
        assert reader.monitoring
        assert (await reader.probe()).ok
        owned_pcscd.stop()
        owned_pcscd.with_vpcd = False  # pcscd without vpcd's reader: the reader is gone
        owned_pcscd.start()
        assert await _state_within(reader, DeviceState.NO_DEVICE, HOTPLUG_BOUND_S), reader.status()
        assert not (await reader.probe()).ok
        owned_pcscd.stop()
        owned_pcscd.with_vpcd = True
        owned_pcscd.start()
        assert await _state_within(reader, DeviceState.ONLINE, HOTPLUG_BOUND_S), reader.status()
    finally:
        await supervisor.stop()
        if not owned_pcscd.with_vpcd:
            owned_pcscd.stop()
            owned_pcscd.with_vpcd = True
            owned_pcscd.start()
    assert not reader.monitoring
