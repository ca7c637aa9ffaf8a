"""The committed sessions (tests/replay/make_sessions.py) replayed through the real drivers: completions and statuses.

A failure here means the driver now talks differently or judges the same bytes differently. If that
is deliberate, regenerate the sessions and review their diff.
"""

from __future__ import annotations

import pytest

from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.status import DeviceClass, DeviceState

from .conftest import SESSIONS

ID = DeviceClass.ID_CARD_READER


def test_every_committed_session_is_replayed_here() -> None:
    assert {p.stem for p in SESSIONS.glob("*.jsonl")} == set(VERDICTS)


# ----- 二代证 ------------------------------------------------------------------------------------
async def test_idcard_read(replayed) -> None:
    reader = await replayed(ID, "idcard-read")
    result = await reader.read_card()
    assert result.ok, result.description
    assert (result.data.name, result.data.id_number, result.data.birth_date) == ("张三", "500112198703152613", "1987-03-15")
    assert result.data.address.startswith("重庆市渝北区")
    assert reader.status().state is DeviceState.ONLINE
    assert reader.replay.remaining() == []  # every recorded byte was asked for and used


async def test_idcard_no_card(replayed) -> None:
    reader = await replayed(ID, "idcard-no-card")
    result = await reader.read_card()
    assert result.code is CompletionCode.NO_MEDIA
    assert reader.status().state is DeviceState.ONLINE


async def test_idcard_card_lifted_mid_read_sw3_41_is_no_media_not_a_fault(replayed) -> None:
    reader = await replayed(ID, "idcard-card-lifted")
    result = await reader.read_card()
    assert result.code is CompletionCode.NO_MEDIA, result.description
    assert "41" in result.description
    assert reader.status().state is DeviceState.ONLINE  # a lifted card is no hardware fault (issue 13)


async def test_idcard_bad_checksum_frame_is_a_protocol_error(replayed) -> None:
    reader = await replayed(ID, "idcard-bad-checksum")
    result = await reader.read_card()
    assert result.code is CompletionCode.HARDWARE_ERROR
    assert "checksum" in result.description


async def test_idcard_garbage_before_a_frame_is_skipped(replayed) -> None:
    reader = await replayed(ID, "idcard-garbage-before-frame")
    result = await reader.read_card()
    assert result.ok, result.description
    assert result.data.name == "张三"
    assert reader.replay.in_offset > 0


async def test_idcard_silent_sam_times_out_on_the_recorded_timeout(replayed) -> None:
    reader = await replayed(ID, "idcard-silent")
    result = await reader.read_card()
    assert result.code is CompletionCode.TIMEOUT, result.description
    assert "no answer to read card" in result.description


async def test_idcard_unplugged_mid_read_is_no_device_and_stays_so(replayed) -> None:
    reader = await replayed(ID, "idcard-unplugged-mid-read")
    result = await reader.read_card()
    assert result.code is CompletionCode.HARDWARE_ERROR and "I/O error" in result.description
    assert reader.status().state is DeviceState.NO_DEVICE
    again = await reader.read_card()  # reopening finds nothing: the recording (the reader) has ended
    assert again.code is CompletionCode.DEVICE_NOT_READY, again.description


# ----- 社保卡 ------------------------------------------------------------------------------------
async def test_chipcard_read(replayed) -> None:
    reader = await replayed(DeviceClass.CHIP_CARD_READER, "chipcard-read")
    result = await reader.read_card()
    assert result.ok, result.description
    assert (result.data.name, result.data.social_security_number, result.data.card_number) == ("张三", "500112198703152613", "C50011201")
    assert reader.status().state is DeviceState.ONLINE
    assert reader.replay.remaining() == []


async def test_chipcard_removed_mid_read_is_no_media(replayed) -> None:
    reader = await replayed(DeviceClass.CHIP_CARD_READER, "chipcard-removed-mid-read")
    result = await reader.read_card()
    assert result.code is CompletionCode.NO_MEDIA
    assert "removed" in result.description


async def test_chipcard_that_is_not_a_social_security_card_is_the_citizens_to_fix(replayed) -> None:
    reader = await replayed(DeviceClass.CHIP_CARD_READER, "chipcard-not-a-social-security-card")
    result = await reader.read_card()
    assert result.code is CompletionCode.USER_ERROR
    assert "6A82" in result.description


# ----- receipt printer ---------------------------------------------------------------------------
async def test_printer_prints_the_test_page(replayed) -> None:
    from kiosk.cli.record_cmd import test_page

    printer = await replayed(DeviceClass.RECEIPT_PRINTER, "printer-test-page")
    result = await printer.print_document(test_page())
    assert result.ok, result.description
    assert result.detail["paper"] == "ok"
    assert printer.replay.out_offset > 1000  # the whole receipt matched the recorded bytes


async def test_printer_paper_out_status_reply_refuses_the_job(replayed) -> None:
    from kiosk.cli.record_cmd import test_page

    printer = await replayed(DeviceClass.RECEIPT_PRINTER, "printer-paper-out")
    assert printer.status().state is DeviceState.USER_ERROR  # the status reply at open said paper out
    result = await printer.print_document(test_page())
    assert result.code is CompletionCode.USER_ERROR
    assert result.detail.get("paper") == "out"


# ----- serial QR scanner -------------------------------------------------------------------------
async def test_barcode_scan(replayed) -> None:
    scanner = await replayed(DeviceClass.BARCODE_READER, "barcode-scan")
    result = await scanner.read_code(timeout=3.0)
    assert result.ok, result.description
    assert result.data.text == "YKM1.replay-session-token-0001"


async def test_barcode_garbled_payload_is_rejected_at_once(replayed) -> None:
    scanner = await replayed(DeviceClass.BARCODE_READER, "barcode-garbled")
    result = await scanner.read_code(timeout=3.0)
    assert result.code is CompletionCode.INVALID_DATA, result.description
    assert result.duration_s < 2.0  # answered at the garbled line, not at the 3 s deadline


# ----- the same verdicts at the recorded timing ----------------------------------------------------
VERDICTS = {
    "idcard-read": CompletionCode.SUCCESS, "idcard-no-card": CompletionCode.NO_MEDIA, "idcard-card-lifted": CompletionCode.NO_MEDIA,
    "idcard-bad-checksum": CompletionCode.HARDWARE_ERROR, "idcard-garbage-before-frame": CompletionCode.SUCCESS,
    "idcard-silent": CompletionCode.TIMEOUT, "idcard-unplugged-mid-read": CompletionCode.HARDWARE_ERROR,
    "chipcard-not-a-social-security-card": CompletionCode.USER_ERROR,
    "chipcard-read": CompletionCode.SUCCESS, "chipcard-removed-mid-read": CompletionCode.NO_MEDIA,
    "printer-test-page": CompletionCode.SUCCESS, "printer-paper-out": CompletionCode.USER_ERROR,
    "barcode-scan": CompletionCode.SUCCESS, "barcode-garbled": CompletionCode.INVALID_DATA,
}


@pytest.mark.parametrize("session", sorted(VERDICTS))
async def test_the_verdict_holds_at_the_recorded_speed(replayed, session: str) -> None:
    from kiosk.cli.record_cmd import test_page

    device_class = DeviceClass(session.split("-")[0])
    service = await replayed(device_class, session, speed=1.0)
    if device_class is DeviceClass.RECEIPT_PRINTER:
        result = await service.print_document(test_page())
    elif device_class is DeviceClass.BARCODE_READER:
        result = await service.read_code(timeout=3.0)
    else:
        result = await service.read_card()
    assert result.code is VERDICTS[session], result.description
