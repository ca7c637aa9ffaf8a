"""A card lifted mid-read (SW3=41) and one bad checksum are retries, not hardware faults (issue 13)."""

from __future__ import annotations

import asyncio

from drivers.idcard import protocol as P
from drivers.idcard.service import IdCardService
from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.error_codes import CommonError, IdCardError
from kiosk.terminal.status import DeviceState
from sim.devices.idcard.emulator import SamEmulator


async def test_card_lifted_mid_read_is_a_retry_and_the_reader_stays_online(service: IdCardService, emulator: SamEmulator,
                                                                          wait_for) -> None:
    emulator.insert("zhangsan")
    emulator.processing_s = 0.15  # the SAM is still reading when the citizen lifts the card
    reading = asyncio.create_task(service.read_card())
    assert await wait_for(lambda: P.CMD_READ_BASE in emulator.received, timeout=3.0)
    emulator.remove()
    lifted = await reading
    assert lifted.code is CompletionCode.NO_MEDIA, lifted.description
    assert lifted.error_code is IdCardError.CARD_REMOVED and lifted.action is RecoveryAction.RETRY
    assert lifted.detail["sw3"] == "41"
    assert service.status().state is DeviceState.ONLINE
    emulator.processing_s = 0.0
    emulator.insert("zhangsan")
    again = await service.read_card()
    assert again.ok and again.data is not None and again.data.name == "张三"


async def test_one_bad_checksum_keeps_the_reader_online_three_in_a_row_do_not(service: IdCardService, emulator: SamEmulator) -> None:
    emulator.insert("zhangsan")
    emulator.set_fault("bad_checksum", only={0x30})
    glitch = await service.read_card()
    assert glitch.code is CompletionCode.HARDWARE_ERROR and glitch.error_code is CommonError.CHECKSUM and glitch.transient
    assert service.status().state is DeviceState.ONLINE
    emulator.remove()
    emulator.insert("zhangsan")  # lift and place again: the next find sees it
    await service.read_card()
    emulator.remove()
    emulator.insert("zhangsan")
    await service.read_card()
    assert service.status().state is DeviceState.HARDWARE_ERROR
    emulator.set_fault(None)
    emulator.remove()
    emulator.insert("zhangsan")
    assert (await service.read_card()).ok
    assert service.status().state is DeviceState.ONLINE


async def test_events_a_read_causes_carry_its_request_id(service: IdCardService, emulator: SamEmulator, bus) -> None:
    from kiosk.terminal.events import MediaInserted, StatusChanged

    emulator.insert("zhangsan")  # no poller: the read itself finds the card and says so
    read = await service.read_card()
    assert read.ok and read.request_id > 0
    placed = [e for e in bus.recent((MediaInserted,)) if e.device == "idcard"]
    assert [e.request_id for e in placed] == [read.request_id]
    busy = [e for e in bus.recent((StatusChanged,)) if isinstance(e, StatusChanged) and e.new.description == "read_card"]
    assert busy and busy[-1].request_id == read.request_id
