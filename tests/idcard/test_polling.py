"""The poller: insert/remove events (a read card stays "present"), and a port that goes and comes back."""

from __future__ import annotations

import os

from drivers.idcard.service import IdCardService
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.events import EventBus, MediaInserted, MediaRemoved, StatusChanged
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass, DeviceState
from sim.devices.idcard.emulator import SamEmulator


def media(bus: EventBus) -> list[str]:
    return [type(e).__name__ for e in bus.recent((MediaInserted, MediaRemoved))]


async def test_insert_read_lift_events(service: IdCardService, emulator: SamEmulator, bus: EventBus, wait_for) -> None:
    await service.start_polling(0.02)
    try:
        emulator.insert("zhangsan")
        assert await wait_for(lambda: media(bus) == ["MediaInserted"])
        assert (await service.read_card()).ok
        polls_before = len(emulator.received)
        assert await wait_for(lambda: len(emulator.received) > polls_before + 6)
        assert media(bus) == ["MediaInserted"]  # read card fails find but is still there: no false removal
        emulator.remove()
        assert await wait_for(lambda: media(bus) == ["MediaInserted", "MediaRemoved"])
        emulator.insert("lixiuying")
        assert await wait_for(lambda: media(bus) == ["MediaInserted", "MediaRemoved", "MediaInserted"])
    finally:
        await service.stop_polling()
    count = len(emulator.received)
    await wait_for(lambda: False, timeout=0.1)
    assert len(emulator.received) == count  # stopped means stopped


async def test_polling_does_not_flood_status(service: IdCardService, emulator: SamEmulator, bus: EventBus, wait_for) -> None:
    before = len(bus.recent((StatusChanged,)))
    await service.start_polling(0.01)
    await wait_for(lambda: len(emulator.received) > 20)
    await service.stop_polling()
    assert len(bus.recent((StatusChanged,))) == before


async def test_port_disappears_and_comes_back(service: IdCardService, emulator: SamEmulator, bus: EventBus, wait_for) -> None:
    await service.start_polling(0.02)
    try:
        emulator.insert("zhangsan")
        assert await wait_for(lambda: media(bus) == ["MediaInserted"])
        old_target = os.readlink(emulator.path)
        emulator.unplug()
        assert await wait_for(lambda: service.status().state is DeviceState.NO_DEVICE)
        assert media(bus) == ["MediaInserted", "MediaRemoved"]
        result = await service.read_card(timeout=1.0)
        assert result.code is CompletionCode.DEVICE_NOT_READY
        emulator.replug()
        assert emulator.path and os.path.islink(emulator.path)
        assert await wait_for(lambda: service.status().state is DeviceState.ONLINE)
        assert await wait_for(lambda: media(bus)[-1:] == ["MediaInserted"])
        card = await service.read_card()
        assert card.ok and card.data.name == "张三"
        assert old_target  # it was a real pty before the unplug
    finally:
        await service.stop_polling()


async def test_command_reopens_a_lost_port_without_poller(service: IdCardService, emulator: SamEmulator) -> None:
    emulator.unplug()
    lost = await service.read_card(timeout=1.0)
    assert lost.code in (CompletionCode.HARDWARE_ERROR, CompletionCode.DEVICE_NOT_READY)
    assert service.status().state is DeviceState.NO_DEVICE
    emulator.replug()
    emulator.insert("chenjiaming")
    again = await service.read_card()
    assert again.ok and again.data.card_type == "hmt_permit"
    assert service.status().state is DeviceState.ONLINE


async def test_sim_factory_runs_emulator_and_real_driver() -> None:
    bus = EventBus()
    spec = DeviceSpec("idcard", DeviceClass.ID_CARD_READER, DeviceUrl.parse("sim:idcard?card=smith"))
    device = build_device(spec, bus)
    assert not device.emulator.running  # the factory opens nothing
    try:
        assert (await device.open()).ok
        result = await device.read_card()
        assert result.ok and result.data.english_name == "SMITH, JOHN WILLIAM"
        device.emulator.remove()
        device.emulator.insert("dupont")
        assert (await device.read_card()).data.nationality_code == "FRA"
    finally:
        await device.close()
    assert not device.emulator.running


async def test_poller_reports_a_silent_reader_and_its_recovery(service: IdCardService, emulator: SamEmulator, wait_for) -> None:
    await service.start_polling(0.02)
    try:
        emulator.set_fault("silence")
        assert await wait_for(lambda: service.status().state is DeviceState.HARDWARE_ERROR)
        assert "no answer to find card" in service.status().description
        emulator.set_fault(None)
        assert await wait_for(lambda: service.status().state is DeviceState.ONLINE)
    finally:
        await service.stop_polling()
