"""The rules that keep the printer's results truthful, without a wire."""

from __future__ import annotations

import pytest

from drivers.printer import protocol as P
from drivers.printer.outcomes import job_outcome, refusal, resting_state
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.error_codes import PrinterError
from kiosk.terminal.status import DeviceState

OK = P.decode_status(P.encode_status())
OUT = P.decode_status(P.encode_status(paper="out"))
COVER = P.decode_status(P.encode_status(cover_open=True))


@pytest.mark.parametrize("state,readable,require,expected", [
    (OK, True, True, DeviceState.ONLINE),
    (OUT, True, True, DeviceState.USER_ERROR),
    (COVER, True, True, DeviceState.USER_ERROR),
    (P.UNKNOWN_STATE, True, True, DeviceState.OFFLINE),  # a mute peer is never online
    (P.UNKNOWN_STATE, True, False, DeviceState.ONLINE),  # declared without a return channel
    (P.UNKNOWN_STATE, False, True, DeviceState.ONLINE),  # file: cannot read at all
])
def test_resting_state(state: P.PrinterState, readable: bool, require: bool, expected: DeviceState) -> None:
    assert resting_state(state, readable=readable, require_status=require)[0] is expected


def test_a_job_outcome_is_never_success_when_the_head_went_silent_or_ran_out() -> None:
    assert job_outcome(OK, 100, 100) is None
    silent = job_outcome(P.UNKNOWN_STATE, 100, 100)
    assert silent is not None and silent.code is CompletionCode.TIMEOUT and silent.error_code is PrinterError.NO_ANSWER
    torn = job_outcome(OUT, 4096, 9000)
    assert torn is not None and torn.code is CompletionCode.NO_MEDIA and torn.detail["sent_bytes"] == 4096
    assert torn.error_code is PrinterError.PAPER_OUT and torn.detail["partial"] is True
    cover = job_outcome(COVER, 10, 10)
    assert cover is not None and cover.error_code is PrinterError.COVER_OPEN


def test_refusals_before_sending() -> None:
    assert refusal(OK, True) is None
    assert refusal(P.UNKNOWN_STATE, False) is None
    mute = refusal(P.UNKNOWN_STATE, True)
    assert mute is not None and mute.code is CompletionCode.DEVICE_NOT_READY
    out = refusal(OUT, True)
    assert out is not None and out.code is CompletionCode.USER_ERROR and out.error_code is PrinterError.PAPER_OUT


def test_presenter_status_frames() -> None:
    assert P.ticket_in_presenter(P.encode_full_status(ticket_out=True)) is True
    assert P.ticket_in_presenter(P.encode_full_status()) is False
    assert P.ticket_in_presenter(b"\x12") is None and P.ticket_in_presenter(b"") is None
    assert P.full_status_query() == b"\x10\x04\x14"
