"""The evdev keyboard-wedge driver reading binary input_event records from the wedge emulator's FIFO."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from drivers.barcode.keymap import KEY_ENTER, KEY_LEFTCTRL, KEY_TAB
from drivers.barcode.protocol import UNREADABLE_CODE
from drivers.barcode.service import KeyboardWedgeReader
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.error_codes import BarcodeError
from kiosk.terminal.status import DeviceState
from sim.devices.barcode.wedge import DEVICE_NAME, WedgeEmulator

from .conftest import make_reader

KEY_102ND, KEY_A = 86, 30


def later(delay: float, fn, *args) -> None:  # type: ignore[no-untyped-def]
    asyncio.get_running_loop().call_later(delay, fn, *args)


@pytest.fixture
async def wedge() -> AsyncIterator[KeyboardWedgeReader]:
    service = make_reader("sim:barcode?via=wedge")
    assert isinstance(service, KeyboardWedgeReader)
    assert (await service.open()).ok
    yield service
    await service.close()


async def test_typed_code_with_shift_and_symbols_becomes_the_token(wedge: KeyboardWedgeReader) -> None:
    token = "YKM1.aZ09-_~!@#$%^&*()+={}[]|\\:;\"'<>,?/`"
    later(0.1, wedge.emulator.scan, token)
    result = await wedge.read_code(timeout=3)
    assert result.ok, result.description
    assert result.data.text == token and result.data.source == "evdev"


async def test_keys_spread_over_time_like_a_real_scanner(wedge: KeyboardWedgeReader) -> None:
    wedge.emulator.key_delay_s = 0.002
    later(0.05, wedge.emulator.scan, "YKM1.slow-typist")
    result = await wedge.read_code(timeout=3)
    assert result.ok and result.data.text == "YKM1.slow-typist"


async def test_a_record_split_across_writes_is_joined(wedge: KeyboardWedgeReader) -> None:
    emu = wedge.emulator
    emu.scan("YKM1.first-half-ok", terminator=KEY_TAB)  # typed before the read: discarded with the rest

    def split_scan() -> None:
        from drivers.barcode.evdev import pack_event
        from drivers.barcode.keymap import EV_KEY, EV_SYN

        record = pack_event(EV_KEY, KEY_A, 1) + pack_event(EV_SYN, 0, 0) + pack_event(EV_KEY, KEY_A, 0)
        emu.send_raw(record[:7])  # a FIFO may hand the reader part of a record
        emu.send_raw(record[7:])
        emu.scan("bcd")

    later(0.1, split_scan)
    result = await wedge.read_code(timeout=3)
    assert result.ok, result.description
    assert result.data.text == "abcd"  # "a" from the split record, nothing of the earlier scan


async def test_grab_failure_on_a_non_evdev_file_is_reported_not_fatal(wedge: KeyboardWedgeReader) -> None:
    status = wedge.status()
    assert status.state is DeviceState.ONLINE
    assert status.detail["grabbed"] is False
    assert "not an event device" in status.description and "reach the screen" in status.description
    assert wedge.capabilities()["grabbed"] is False


async def test_require_grab_makes_an_ungrabbable_device_no_device() -> None:
    emu = WedgeEmulator()
    try:
        service = make_reader(f"evdev://{emu.path}?require_grab=true")
        opened = await service.open()
        assert opened.code is CompletionCode.DEVICE_NOT_READY
        assert "cannot grab" in opened.description
        assert service.status().state is DeviceState.NO_DEVICE
        await service.close()
    finally:
        emu.close()


@pytest.mark.parametrize("garble", ["chinese", "unmapped_key", "ctrl"])
async def test_garbled_scan_is_rejected_at_once_with_a_citizen_message(wedge: KeyboardWedgeReader, garble: str) -> None:
    emu = wedge.emulator

    def scan_garbage() -> None:
        emu.send_keys([KEY_A])
        if garble == "chinese":  # a QR of Chinese text, typed by the scanner as Alt + keypad numbers
            emu.alt_code(ord("码"))
        elif garble == "unmapped_key":
            emu.send_keys([KEY_102ND])
        else:
            emu.send_keys([KEY_A], hold=KEY_LEFTCTRL)
        emu.send_keys([KEY_A, KEY_A, KEY_A, KEY_ENTER])

    later(0.1, scan_garbage)
    result = await wedge.read_code(timeout=5)
    assert result.code is CompletionCode.INVALID_DATA, result.description
    assert result.duration_s < 2.5  # answered when the scan ends, not at the 5 s deadline
    assert result.citizen_message == UNREADABLE_CODE and result.error_code is BarcodeError.INVALID_CODE
    assert "evdev" in result.description and "US layout" in result.description
    assert wedge.status().state is DeviceState.ONLINE  # the scanner is fine; the code was not
    later(0.05, emu.scan, "YKM1.right-code-now")
    assert (await wedge.read_code(timeout=3)).data.text == "YKM1.right-code-now"


async def test_too_short_scan_is_rejected_at_once(wedge: KeyboardWedgeReader) -> None:
    later(0.05, wedge.emulator.scan, "ab")
    result = await wedge.read_code(timeout=5)
    assert result.code is CompletionCode.INVALID_DATA and "shorter than" in result.description


async def test_cut_off_scan_then_silence_times_out_naming_it(wedge: KeyboardWedgeReader) -> None:
    later(0.05, wedge.emulator.send_keys, [KEY_A, KEY_A])  # no Enter: the scanner lost the code
    result = await wedge.read_code(timeout=1.0)
    assert result.code is CompletionCode.TIMEOUT
    assert "1 unreadable or cut-off" in result.description


async def test_found_by_match_in_a_by_id_directory() -> None:
    emu = WedgeEmulator()
    try:
        service = make_reader(f"evdev://{emu.by_id}?match=barcode_scanner")  # case-insensitive part of the udev name
        assert (await service.open()).ok
        assert service.capabilities()["device"] == str(emu.by_id / DEVICE_NAME)
        later(0.05, emu.scan, "YKM1.by-id")
        assert (await service.read_code(timeout=3)).data.text == "YKM1.by-id"
        await service.close()
        none = make_reader(f"evdev://{emu.by_id}?match=honeywell")
        opened = await none.open()
        assert opened.code is CompletionCode.DEVICE_NOT_READY and "honeywell" in opened.description
        await none.close()
    finally:
        emu.close()


async def test_missing_device_is_no_device_and_a_url_without_one_is_refused() -> None:
    service = make_reader("evdev:///dev/input/by-id/usb-not-here-event-kbd")
    opened = await service.open()
    assert opened.code is CompletionCode.DEVICE_NOT_READY and "usb-not-here" in opened.description
    assert service.status().state is DeviceState.NO_DEVICE
    await service.close()
    with pytest.raises(Exception, match="no input device"):
        make_reader("evdev:")


async def test_unplugged_scanner_is_reported_and_recovered_through_its_by_id_name(tmp_path: Path) -> None:
    link = tmp_path / DEVICE_NAME
    first = WedgeEmulator()
    link.symlink_to(first.path)
    service = make_reader(f"evdev://{link}")
    assert (await service.open()).ok
    second = None
    try:
        later(0.1, first.unplug)  # unplugged while waiting: the device ends
        result = await service.read_code(timeout=2)
        assert result.code is CompletionCode.HARDWARE_ERROR, result.description
        assert service.status().state is DeviceState.HARDWARE_ERROR
        gone = await service.read_code(timeout=1)  # nothing behind the name: no device
        assert gone.code is CompletionCode.DEVICE_NOT_READY
        second = WedgeEmulator()  # plugged back in: a new event node behind the same name
        link.unlink()
        link.symlink_to(second.path)
        later(0.2, second.scan, "YKM1.replugged")
        result = await service.read_code(timeout=2)
        assert result.ok, result.description
        assert result.data.text == "YKM1.replugged"
        assert service.status().state is DeviceState.ONLINE
    finally:
        await service.close()
        if second is not None:
            second.close()


async def test_unplugged_while_idle_the_probe_says_no_device_and_a_replug_is_found(tmp_path: Path) -> None:
    link = tmp_path / DEVICE_NAME
    first = WedgeEmulator()
    link.symlink_to(first.path)
    service = make_reader(f"evdev://{link}")
    assert (await service.open()).ok
    second = None
    try:
        assert service.probes and (await service.probe()).ok
        assert "not an event device" in service.status().description  # the probe keeps the grab warning shown
        first.unplug()  # nobody is scanning: only the supervisor's probe can notice
        probed = await service.probe()
        assert probed.code is CompletionCode.DEVICE_NOT_READY and service.status().state is DeviceState.NO_DEVICE
        second = WedgeEmulator()
        link.unlink()
        link.symlink_to(second.path)
        assert (await service.probe()).ok and service.status().state is DeviceState.ONLINE
        later(0.05, second.scan, "YKM1.after-replug")
        assert (await service.read_code(timeout=3)).data.text == "YKM1.after-replug"
    finally:
        await service.close()
        if second is not None:
            second.close()
