"""Insert/remove events, and pcscd dying under the driver: reported, then recovered from."""

from __future__ import annotations

from typing import Callable

from drivers.chipcard.service import ChipCardService
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.events import EventBus, MediaInserted, MediaRemoved, StatusChanged
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass, DeviceState
from sim.devices.chipcard.emulator import VirtualCard
from sim.devices.chipcard.pcscd import PcscDaemon, pcscd_running, reader_name
from tests.chipcard.conftest import READER, next_matching, wait_card_state

SIM_READER = reader_name(0)  # sim:chipcard puts its card on slot 0

Insert = Callable[..., VirtualCard]


def _state(state: DeviceState) -> Callable[[object], bool]:
    return lambda e: isinstance(e, StatusChanged) and e.new.state is state


async def test_insert_and_remove_publish_media_events(reader: ChipCardService, bus: EventBus, card: VirtualCard) -> None:
    stream = bus.stream(types=(MediaInserted, MediaRemoved))
    card.insert("lisi")
    inserted = await next_matching(stream, lambda e: True)
    assert isinstance(inserted, MediaInserted) and inserted.device == "chipcard"
    assert inserted.detail == {"reader": READER, "atr": "3b80800101"}
    card.remove()
    assert isinstance(await next_matching(stream, lambda e: True), MediaRemoved)
    card.insert("zhangsan")
    assert isinstance(await next_matching(stream, lambda e: True), MediaInserted)
    stream.close()


async def test_pcscd_killed_mid_test_is_reported_and_recovered(
    owned_pcscd: PcscDaemon, reader: ChipCardService, bus: EventBus, insert: Insert
) -> None:
    insert("zhangsan")
    assert (await reader.read_card()).ok
    stream = bus.stream(types=(StatusChanged, MediaInserted, MediaRemoved))

    owned_pcscd.kill()  # SIGKILL, as a crash: the monitor must notice, not die
    offline = await next_matching(stream, _state(DeviceState.OFFLINE))
    assert "pcscd" in offline.new.description  # type: ignore[attr-defined]
    assert any(isinstance(e, MediaRemoved) for e in bus.recent()), "the card went with pcscd"
    down = await reader.read_card()
    assert down.code is CompletionCode.DEVICE_NOT_READY
    assert reader.status().state is DeviceState.OFFLINE
    assert reader.monitor_alive

    owned_pcscd.start()  # it comes back; the card reconnects to the new vpcd by itself
    await next_matching(stream, _state(DeviceState.ONLINE))
    await next_matching(stream, lambda e: isinstance(e, MediaInserted))
    again = await reader.read_card()
    assert again.ok, again.description
    assert again.data.name == "张三"  # type: ignore[union-attr]
    assert reader.status().state is DeviceState.ONLINE
    stream.close()


async def test_open_while_pcscd_is_down_then_it_starts(owned_pcscd: PcscDaemon, bus: EventBus) -> None:
    owned_pcscd.stop()
    service = ChipCardService("chipcard", bus, reader=READER, default_timeout=3.0)
    stream = bus.stream(types=(StatusChanged,))
    try:
        opened = await service.open()
        assert opened.code is CompletionCode.DEVICE_NOT_READY
        assert service.status().state is DeviceState.OFFLINE
        assert (await service.list_readers()).code is CompletionCode.DEVICE_NOT_READY
        owned_pcscd.start()
        await next_matching(stream, _state(DeviceState.ONLINE))
        assert (await service.list_readers()).ok
    finally:
        stream.close()
        await service.close()
        owned_pcscd.start()


async def test_sim_factory_starts_and_stops_its_own_pcscd(owned_pcscd: PcscDaemon) -> None:
    owned_pcscd.stop()
    spec = DeviceSpec("chipcard", DeviceClass.CHIP_CARD_READER, DeviceUrl.parse("sim:chipcard?person=wangwu"), timeout_s=5.0)
    device = build_device(spec, EventBus())
    try:
        assert isinstance(device, ChipCardService)
        assert not pcscd_running(), "the factory must not open anything"
        assert (await device.open()).ok
        assert pcscd_running() and device.sim.started_pcscd
        wait_card_state(True, reader=SIM_READER)
        result = await device.read_card()
        assert result.ok and result.data.name == "王五"  # type: ignore[union-attr]
        device.emulator.remove()  # the control API the demo's developer panel uses
        wait_card_state(False, reader=SIM_READER)
        assert (await device.read_card()).code is CompletionCode.NO_MEDIA
    finally:
        await device.close()
    assert not pcscd_running()
    owned_pcscd.start()


async def test_sim_factory_uses_a_running_pcscd(pcscd: PcscDaemon) -> None:
    spec = DeviceSpec("chipcard", DeviceClass.CHIP_CARD_READER, DeviceUrl.parse("sim:chipcard?technician=tech01"), timeout_s=5.0)
    device = build_device(spec, EventBus())
    assert isinstance(device, ChipCardService)
    try:
        assert (await device.open()).ok
        assert not device.sim.started_pcscd
        wait_card_state(True, reader=SIM_READER)
        assert (await device.read_technician_id()).data == "JX500112001"
    finally:
        await device.close()
    assert pcscd_running()
    wait_card_state(False, reader=SIM_READER)


async def test_reader_unplugged_and_back(owned_pcscd: PcscDaemon, reader: ChipCardService, bus: EventBus, insert: Insert) -> None:
    insert("zhangsan")
    stream = bus.stream(types=(StatusChanged,))
    try:
        owned_pcscd.stop()
        owned_pcscd.with_vpcd = False  # pcscd comes back without the reader: as if it were unplugged
        owned_pcscd.start()
        missing = await next_matching(stream, _state(DeviceState.NO_DEVICE))
        assert READER in missing.new.description  # type: ignore[attr-defined]
        result = await reader.read_card()
        assert result.code is CompletionCode.DEVICE_NOT_READY
        assert reader.status().state is DeviceState.NO_DEVICE
        owned_pcscd.stop()
        owned_pcscd.with_vpcd = True
        owned_pcscd.start()
        await next_matching(stream, _state(DeviceState.ONLINE))
        wait_card_state(True)
        assert (await reader.read_card()).ok
    finally:
        stream.close()
        if not owned_pcscd.with_vpcd:
            owned_pcscd.stop()
            owned_pcscd.with_vpcd = True
            owned_pcscd.start()
