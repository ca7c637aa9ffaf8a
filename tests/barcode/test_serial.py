"""The serial scanner driver on a real pty with the scanner emulator at the other end."""

from __future__ import annotations

import asyncio

import pytest

from drivers.barcode.protocol import UNREADABLE_CODE
from drivers.barcode.service import SerialBarcodeReader
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.error_codes import BarcodeError
from kiosk.terminal.events import EventBus, MediaInserted
from kiosk.terminal.status import DeviceState
from sim.devices.barcode.emulator import ScannerEmulator

from .conftest import make_reader


def later(delay: float, fn, *args) -> None:  # type: ignore[no-untyped-def]
    asyncio.get_running_loop().call_later(delay, fn, *args)


async def test_a_scanned_line_becomes_a_code(serial_reader: SerialBarcodeReader) -> None:
    later(0.1, serial_reader.emulator.scan, "YKM1.serial-token-0001")
    result = await serial_reader.read_code(timeout=3)
    assert result.ok, result.description
    assert result.data.text == "YKM1.serial-token-0001"
    assert result.data.source == "serial"
    assert "serial-token" not in repr(result.data)  # the token never reaches a log line


async def test_line_sent_byte_by_byte_like_a_9600_baud_wire(serial_reader: SerialBarcodeReader) -> None:
    serial_reader.emulator.byte_delay_s = 0.001  # ~ 9600 baud
    later(0.05, serial_reader.emulator.scan, "YKM1.slow-wire-token")
    result = await serial_reader.read_code(timeout=3)
    assert result.ok and result.data.text == "YKM1.slow-wire-token"


@pytest.mark.parametrize("line,why", [
    ("YKM1.渝快码-中文二维码\r\n".encode(), "UTF-8 text"),  # another app's QR of Chinese text
    ("重庆市民".encode("gbk") + b"\r\n", "GB18030/GBK text"),  # a scanner set to a GBK code page
    (b"\xff\xfe\x00\x13\x81\xfd\r\n", "not text"),  # line noise / a wrong baud rate
    (b"\x00\x01\x02junk\r\n", "control characters"),
    (b"ab\r\n", "shorter than"),
])
async def test_garbled_line_is_rejected_at_once_with_a_citizen_message(serial_reader: SerialBarcodeReader, line: bytes, why: str) -> None:
    later(0.1, serial_reader.emulator.send_raw, line)
    result = await serial_reader.read_code(timeout=5)
    assert result.code is CompletionCode.INVALID_DATA, result.description
    assert result.duration_s < 2.5  # answered when the line ends, not at the 5 s deadline
    assert result.citizen_message == UNREADABLE_CODE and result.error_code is BarcodeError.INVALID_CODE
    assert why in result.description and "serial" in result.description
    assert "渝快码-中文" not in result.description and "重庆" not in result.description  # sizes, never the content
    assert serial_reader.status().state is DeviceState.ONLINE
    later(0.05, serial_reader.emulator.scan, "YKM1.the-real-one")
    result = await serial_reader.read_code(timeout=3)
    assert result.ok and result.data.text == "YKM1.the-real-one"


async def test_overlong_line_is_rejected_when_it_ends(serial_reader: SerialBarcodeReader) -> None:
    later(0.05, serial_reader.emulator.send_raw, b"A" * 5000 + b"\r\n")
    result = await serial_reader.read_code(timeout=5)
    assert result.code is CompletionCode.INVALID_DATA and "longer than 2048" in result.description


async def test_partial_line_then_silence_is_dropped_and_the_next_code_is_clean(serial_reader: SerialBarcodeReader) -> None:
    emu = serial_reader.emulator
    later(0.05, emu.send_raw, b"YKM1.cut-o")
    later(0.9, emu.scan, "YKM1.next-citizen")  # after the 0.5 s stale limit
    result = await serial_reader.read_code(timeout=3)
    assert result.ok and result.data.text == "YKM1.next-citizen"
    assert serial_reader.framer.dropped >= 1


async def test_code_scanned_before_the_read_started_is_discarded(serial_reader: SerialBarcodeReader) -> None:
    serial_reader.emulator.scan("YKM1.previous-citizen")
    await asyncio.sleep(0.05)
    later(0.2, serial_reader.emulator.scan, "YKM1.current-citizen")
    result = await serial_reader.read_code(timeout=3)
    assert result.ok and result.data.text == "YKM1.current-citizen"


async def test_timeout_when_nothing_is_scanned_names_a_cut_off_line(serial_reader: SerialBarcodeReader) -> None:
    later(0.05, serial_reader.emulator.send_raw, b"YKM1.no-terminator")
    result = await serial_reader.read_code(timeout=1.0)
    assert result.code is CompletionCode.TIMEOUT
    assert 0.9 < result.duration_s < 2.0
    assert "1 unreadable or cut-off" in result.description
    assert serial_reader.status().state is DeviceState.ONLINE


async def test_cancel_reaches_the_worker_quickly(serial_reader: SerialBarcodeReader) -> None:
    task = asyncio.create_task(serial_reader.read_code(timeout=10))
    await asyncio.sleep(0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    serial_reader.cancel("citizen pressed 返回")
    result = await task
    assert result.code is CompletionCode.CANCELED
    assert loop.time() - started < 0.5
    later(0.05, serial_reader.emulator.scan, "YKM1.after-cancel")  # the device is still usable
    assert (await serial_reader.read_code(timeout=2)).data.text == "YKM1.after-cancel"


async def test_media_event_carries_no_token() -> None:
    bus = EventBus()
    seen: list[MediaInserted] = []
    bus.subscribe(lambda event: seen.append(event) if isinstance(event, MediaInserted) else None)
    service = make_reader("sim:barcode?via=serial", bus)
    await service.open()
    try:
        later(0.05, service.emulator.scan, "YKM1.event-token")
        assert (await service.read_code(timeout=2)).ok
    finally:
        await service.close()
    assert seen and seen[0].media == "code" and "event-token" not in repr(seen[0])


async def test_serial_url_opens_a_real_port_and_a_missing_port_is_device_not_ready() -> None:
    scanner = ScannerEmulator(terminator=b"\r")
    try:
        service = make_reader(f"serial://{scanner.port}?baud=9600&terminator=cr")
        assert (await service.open()).ok
        later(0.05, scanner.scan, "YKM1.cr-terminated")
        result = await service.read_code(timeout=2)
        assert result.ok and result.data.text == "YKM1.cr-terminated"
        await service.close()
    finally:
        scanner.close()
    missing = make_reader("serial:///dev/kiosk-qr-not-here")
    opened = await missing.open()
    assert opened.code is CompletionCode.DEVICE_NOT_READY
    assert "kiosk-qr-not-here" in opened.description


async def test_unplugged_scanner_is_reported_and_recovered_through_its_udev_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    link = tmp_path / "kiosk-qr"  # what a udev rule gives the scanner, whatever ttyACM it lands on
    first = ScannerEmulator()
    link.symlink_to(first.port)
    service = make_reader(f"serial://{link}")
    assert (await service.open()).ok
    second = None
    try:
        later(0.1, first.close)  # unplugged while waiting for a code
        result = await service.read_code(timeout=2)
        assert result.code is CompletionCode.HARDWARE_ERROR, result.description
        assert service.status().state is DeviceState.HARDWARE_ERROR
        second = ScannerEmulator()  # plugged back in: a new tty behind the same name
        link.unlink()
        link.symlink_to(second.port)
        later(0.2, second.scan, "YKM1.replugged")
        result = await service.read_code(timeout=2)
        assert result.ok, result.description
        assert result.data.text == "YKM1.replugged"
        assert service.status().state is DeviceState.ONLINE
    finally:
        await service.close()
        first.close()
        if second is not None:
            second.close()


async def test_unplugged_while_idle_the_probe_says_no_device_and_a_replug_is_found(tmp_path) -> None:  # type: ignore[no-untyped-def]
    link = tmp_path / "kiosk-qr"
    first = ScannerEmulator()
    link.symlink_to(first.port)
    service = make_reader(f"serial://{link}")
    assert (await service.open()).ok
    second = None
    try:
        assert service.probes and (await service.probe()).ok
        first.close()  # the pty goes away like a USB-serial node
        probed = await service.probe()
        assert probed.code is CompletionCode.DEVICE_NOT_READY, probed.description
        assert service.status().state is DeviceState.NO_DEVICE
        second = ScannerEmulator()
        link.unlink()
        link.symlink_to(second.port)
        assert (await service.probe()).ok and service.status().state is DeviceState.ONLINE
        later(0.05, second.scan, "YKM1.after-replug")
        assert (await service.read_code(timeout=3)).data.text == "YKM1.after-replug"
    finally:
        await service.close()
        if second is not None:
            second.close()
