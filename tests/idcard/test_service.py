"""The real driver against the SAM emulator on a pty: reads, faults, resync, cancel, timeouts."""

from __future__ import annotations

import asyncio
import io
import time

import pytest
from PIL import Image

from drivers.idcard import protocol as P
from drivers.idcard.sam import Timeouts
from drivers.idcard.service import IdCardService
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.events import EventBus
from kiosk.terminal.status import DeviceState
from sim.devices.idcard.emulator import SamEmulator


async def test_open_reads_sam_status_and_id(service: IdCardService, emulator: SamEmulator) -> None:
    assert emulator.received[:2] == [P.CMD_SAM_STATUS, P.CMD_SAM_ID]
    assert service.status().state is DeviceState.ONLINE
    assert service.status().detail["sam_id"] == service.sam_id != ""


async def test_read_resident_card(service: IdCardService, emulator: SamEmulator) -> None:
    emulator.insert("zhangsan")
    result = await service.read_card()
    assert result.ok, result.description
    card = result.data
    assert (card.name, card.id_number, card.nation, card.valid_to) == ("张三", "500112198703152613", "汉", "2036-05-20")
    assert len(card.photo_wlt) == 1024 and card.photo_jpeg is None
    assert result.detail["photo"].startswith("unavailable")
    assert emulator.received[-4:] == [P.CMD_FIND, P.CMD_SELECT, P.CMD_READ_BASE, P.CMD_READ_EXTRA_ADDRESS]


async def test_additional_address(service: IdCardService, emulator: SamEmulator) -> None:
    emulator.insert("lixiuying")
    card = (await service.read_card()).data
    assert card.valid_to == "长期" and card.extra_address == emulator.cards["lixiuying"]["extra_address"]


@pytest.mark.parametrize("size", [1024, 512, 0])
async def test_read_with_fingerprint(service: IdCardService, emulator: SamEmulator, size: int) -> None:
    emulator.cards["zhangsan"] = {**emulator.cards["zhangsan"], "fingerprint_size": size}
    emulator.insert("zhangsan")
    result = await service.read_card(fingerprint=True)
    assert result.ok and len(result.data.fingerprint) == size
    assert P.CMD_READ_WITH_FINGERPRINT in emulator.received


async def test_card_already_read_fails_find_until_lifted(service: IdCardService, emulator: SamEmulator) -> None:
    emulator.insert("zhangsan")
    assert (await service.read_card()).ok
    again = await service.read_card()
    assert again.code is CompletionCode.NO_MEDIA
    emulator.remove()
    emulator.insert("zhangsan")
    assert (await service.read_card()).ok


async def test_no_card(service: IdCardService) -> None:
    result = await service.read_card()
    assert result.code is CompletionCode.NO_MEDIA and "no card" in result.description


async def test_bad_check_digit_is_invalid_data(service: IdCardService, emulator: SamEmulator) -> None:
    emulator.insert("badcheck")
    result = await service.read_card()
    assert result.code is CompletionCode.INVALID_DATA and "check digit" in result.description


async def test_resync_after_noise(service: IdCardService, emulator: SamEmulator) -> None:
    emulator.insert("chenjiaming")
    emulator.set_fault("noise")
    result = await service.read_card()
    assert result.ok and result.data.pass_number == "H60123456"


@pytest.mark.parametrize("fault,code,words", [
    ("bad_checksum", CompletionCode.HARDWARE_ERROR, "checksum"),
    ("garbage", CompletionCode.HARDWARE_ERROR, "garbage"),
    ("silence", CompletionCode.TIMEOUT, "no answer"),
    ("no_card", CompletionCode.NO_MEDIA, "no card"),
])
async def test_faults_are_named_within_the_timeout(service: IdCardService, emulator: SamEmulator, fault: str, code: CompletionCode, words: str) -> None:
    emulator.insert("zhangsan")
    emulator.set_fault(fault)
    started = time.monotonic()
    result = await service.read_card(timeout=2.0)
    assert result.code is code and words in result.description
    assert time.monotonic() - started < 2.1
    emulator.set_fault(None)  # the line is usable again at once
    assert (await service.read_card()).ok


async def test_host_frame_checksum_error_is_answered(emulator: SamEmulator) -> None:
    """The emulator itself answers a corrupted host frame with SW3 10, as a SAM does."""
    import os

    fd = os.open(emulator.path, os.O_RDWR | os.O_NOCTTY)
    try:
        bad = bytearray(P.encode_request(P.CMD_FIND))
        bad[-1] ^= 1
        os.write(fd, bytes(bad))
        parser = P.FrameParser()
        deadline = time.monotonic() + 2
        body = None
        while body is None and time.monotonic() < deadline:
            parser.feed(os.read(fd, 64))
            body = parser.next_frame()
        assert body == b"\x00\x00\x10"
    finally:
        os.close(fd)


async def test_cancel_mid_read_leaves_the_device_usable(tmp_path, bus: EventBus) -> None:
    emu = SamEmulator(link=str(tmp_path / "ttySLOW"), wire_speed=True)
    emu.start()
    svc = IdCardService("idcard", bus, emu.path, default_timeout=5.0)
    try:
        assert (await svc.open()).ok
        emu.insert("zhangsan")
        task = asyncio.create_task(svc.read_card())
        while P.CMD_READ_BASE not in emu.received:  # the 112 ms answer is on the wire now
            await asyncio.sleep(0.002)
        started = time.monotonic()
        assert svc.cancel("citizen walked away")
        result = await task
        assert result.code is CompletionCode.CANCELED
        assert time.monotonic() - started < 0.1
        emu.remove()
        emu.insert("lixiuying")
        again = await svc.read_card()
        assert again.ok and again.data.name == "李秀英"
    finally:
        await svc.close()
        emu.stop()


async def test_asyncio_cancellation_reaches_the_worker(tmp_path, bus: EventBus) -> None:
    emu = SamEmulator(link=str(tmp_path / "ttyC"), wire_speed=True)
    emu.start()
    svc = IdCardService("idcard", bus, emu.path)
    try:
        assert (await svc.open()).ok
        emu.insert("zhangsan")
        task = asyncio.create_task(svc.read_card())
        await asyncio.sleep(0.03)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        emu.remove()
        emu.insert("zhangsan")
        assert (await svc.read_card()).ok
    finally:
        await svc.close()
        emu.stop()


async def test_photo_decoder_hook(emulator: SamEmulator, bus: EventBus) -> None:
    seen: list[bytes] = []

    def decoder(wlt: bytes) -> bytes:  # stands in for a vendor libwltu.so wrapper: WLT in, BMP out
        seen.append(wlt)
        out = io.BytesIO()
        Image.new("RGB", (102, 126), (200, 180, 160)).save(out, "BMP")
        return out.getvalue()

    svc = IdCardService("idcard", bus, emulator.path, decoder=decoder)
    try:
        assert (await svc.open()).ok
        emulator.insert("zhangsan")
        result = await svc.read_card()
        assert result.detail["photo"] == "decoded" and seen == [result.data.photo_wlt]
        assert Image.open(io.BytesIO(result.data.photo_jpeg)).size == (102, 126)
        assert result.data.to_json_dict()["photo"] == "decoded"
    finally:
        await svc.close()


async def test_missing_port_is_no_device(bus: EventBus, tmp_path) -> None:
    svc = IdCardService("idcard", bus, str(tmp_path / "nothing"), timeouts=Timeouts(0.3, 0.3, 0.3))
    result = await svc.open(timeout=1.0)
    assert result.code is CompletionCode.DEVICE_NOT_READY and "no device" in result.description
    assert svc.status().state is DeviceState.NO_DEVICE
    await svc.close()


async def test_reset_sends_sam_reset_and_forgets_the_card(service: IdCardService, emulator: SamEmulator) -> None:
    result = await service.reset()
    assert result.ok
    assert P.CMD_RESET in emulator.received
    assert service.status().state is DeviceState.ONLINE


def test_sam_id_display_and_read_split() -> None:
    from drivers.idcard.sam import format_sam_id, split_read
    from kiosk.errors import ProtocolError
    from sim.devices.idcard.emulator import SAM_ID_BYTES

    assert format_sam_id(SAM_ID_BYTES).startswith("05.01-")
    raw = split_read(b"\x01\x00\x04\x00\x02\x00" + bytes(256 + 1024 + 512), fingerprint=True)
    assert (len(raw.text), len(raw.photo), len(raw.fingerprint)) == (256, 1024, 512)
    with pytest.raises(ProtocolError, match="length fields"):
        split_read(b"\x01\x00\x04\x00" + bytes(1000), fingerprint=False)


@pytest.mark.parametrize("fault,code,words", [
    ("bad_checksum", CompletionCode.HARDWARE_ERROR, "checksum error in the SAM's answer to read card"),
    ("garbage", CompletionCode.HARDWARE_ERROR, "garbage bytes discarded"),
    ("silence", CompletionCode.TIMEOUT, "no answer to read card"),
])
async def test_faults_on_the_1295_byte_read_frame(service: IdCardService, emulator: SamEmulator, fault: str, code: CompletionCode, words: str) -> None:
    emulator.insert("zhangsan")
    emulator.set_fault(fault, only={0x30})
    result = await service.read_card(timeout=2.0)
    assert result.code is code and words in result.description, result.description
    assert P.CMD_READ_BASE in emulator.received


async def test_silent_sam_at_open_is_a_hardware_error_status(emulator: SamEmulator, bus: EventBus) -> None:
    emulator.set_fault("silence")
    svc = IdCardService("idcard", bus, emulator.path, timeouts=Timeouts(0.3, 0.3, 0.3))
    result = await svc.open(timeout=2.0)
    assert result.code is CompletionCode.TIMEOUT and "SAM status" in result.description
    assert svc.status().state is DeviceState.HARDWARE_ERROR
    await svc.close()


async def test_a_command_waiting_for_the_poller_can_be_cancelled(service: IdCardService, emulator: SamEmulator) -> None:
    emulator.insert("zhangsan")
    service._io.acquire()  # stands in for a poll exchange stuck on a dead line
    try:
        task = asyncio.create_task(service.read_card(timeout=5.0))
        await asyncio.sleep(0.1)
        assert service.cancel("session ended")
        result = await asyncio.wait_for(task, 0.5)
        assert result.code is CompletionCode.CANCELED
    finally:
        service._io.release()
    assert (await service.read_card()).ok
