"""What a DLE EOT answer means for the device's state and for a print job, as pure functions.

Why apart from the service: the rules that keep the printer's results truthful — paper out is never
``online``, a head that stopped answering is never ``success``, a roll that ended mid-job is a
failure that says how much went out — are tested here without a wire, and the service only applies them.
"""

from __future__ import annotations

from drivers.printer import protocol as P
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.error_codes import PrinterError
from kiosk.terminal.status import DeviceState

MSG_PAPER_OUT = "凭条打印机缺纸，回执暂未打印。您的业务不受影响，请联系工作人员补纸后重新打印。"
MSG_PAPER_RAN_OUT = "凭条打印机打印中缺纸，回执未打印完整。您的业务不受影响，请联系工作人员补纸后重新打印。"
MSG_COVER_OPEN = "凭条打印机盖未关好，请联系工作人员处理后重新打印。"
MSG_FAULT = "凭条打印机故障，回执暂未打印，请联系工作人员。"
MSG_UNCONFIRMED = "凭条打印机未确认打印结果，如未取到回执，请联系工作人员重新打印。"


def resting_state(state: P.PrinterState, *, readable: bool, require_status: bool, silent: str = "") -> tuple[DeviceState, str]:
    """The device state a status answer stands for. A head that does not answer is ``offline`` when it should
    (``require_status``, a transport that can read), ``online`` with the reason only when it cannot answer."""
    if state.paper == "out":
        return DeviceState.USER_ERROR, "paper out"
    if state.cover_open:
        return DeviceState.USER_ERROR, "cover open"
    if state.cutter_error or state.unrecoverable:
        return DeviceState.HARDWARE_ERROR, "cutter error" if state.cutter_error else "unrecoverable error"
    if state.online is False:
        return DeviceState.OFFLINE, "printer offline"
    if not state.answered:
        if not readable:
            return DeviceState.ONLINE, "status unknown: this transport cannot read DLE EOT"
        if require_status:
            return DeviceState.OFFLINE, silent or "no answer to DLE EOT: not a printer, or its firmware hangs"
        return DeviceState.ONLINE, "status unknown: printer does not answer DLE EOT (require_status = false)"
    return DeviceState.ONLINE, "paper near end" if state.paper == "near_end" else ""


def refusal(state: P.PrinterState, require_status: bool) -> Completion[None] | None:
    """The completion that stops a print before any byte is sent, or None to go ahead."""
    if state.paper == "out":
        return Completion.failure(CompletionCode.USER_ERROR, "paper out", RecoveryAction.CLEAR, MSG_PAPER_OUT, paper="out",
                                  error_code=PrinterError.PAPER_OUT)
    if state.cover_open:
        return Completion.failure(CompletionCode.USER_ERROR, "cover open", RecoveryAction.CLEAR, MSG_COVER_OPEN, cover_open=True,
                                  error_code=PrinterError.COVER_OPEN)
    if state.cutter_error or state.unrecoverable:
        return Completion.failure(CompletionCode.HARDWARE_ERROR, "cutter error" if state.cutter_error else "unrecoverable error",
                                  RecoveryAction.MAINTENANCE, MSG_FAULT,
                                  error_code=PrinterError.CUTTER_FAIL if state.cutter_error else None)
    if state.online is False:
        return Completion.failure(CompletionCode.DEVICE_NOT_READY, "printer offline", RecoveryAction.RETRY, MSG_FAULT)
    if not state.answered and require_status:
        return Completion.failure(CompletionCode.DEVICE_NOT_READY, "printer does not answer status queries (require_status)",
                                  RecoveryAction.RESET, MSG_FAULT, paper="unknown", error_code=PrinterError.NO_ANSWER)
    return None


def job_outcome(state: P.PrinterState, sent: int, total: int) -> Completion[None] | None:
    """The failure a status read during or after a job reveals (``sent`` of ``total`` bytes went out), or None.

    Paper that ran out is ``no_media`` with how much was sent: the head printed part of the receipt. Silence
    from a head that answered before the job is a ``timeout``: nobody can say the receipt printed.
    """
    if not state.answered:
        return Completion.failure(CompletionCode.TIMEOUT, f"no answer to DLE EOT after sending {sent} of {total} bytes: "
                                  "the printer went silent, the receipt may not have printed", RecoveryAction.RESET, MSG_UNCONFIRMED,
                                  paper="unknown", error_code=PrinterError.NO_ANSWER, bytes=total, sent_bytes=sent)
    if state.paper == "out":
        return Completion.failure(CompletionCode.NO_MEDIA, f"paper ran out during the job ({sent} of {total} bytes sent): "
                                  "the receipt came out incomplete", RecoveryAction.CLEAR, MSG_PAPER_RAN_OUT, paper="out", partial=True,
                                  error_code=PrinterError.PAPER_OUT, bytes=total, sent_bytes=sent)
    if state.cover_open:
        return Completion.failure(CompletionCode.USER_ERROR, f"cover opened during the job ({sent} of {total} bytes sent)",
                                  RecoveryAction.CLEAR, MSG_COVER_OPEN, cover_open=True, partial=True,
                                  error_code=PrinterError.COVER_OPEN, bytes=total, sent_bytes=sent)
    if state.cutter_error or state.unrecoverable:
        return Completion.failure(CompletionCode.HARDWARE_ERROR, "cutter error after the job" if state.cutter_error else
                                  "unrecoverable error during the job", RecoveryAction.MAINTENANCE, MSG_FAULT,
                                  error_code=PrinterError.CUTTER_FAIL if state.cutter_error else None, bytes=total, sent_bytes=sent)
    if state.online is False:
        return Completion.failure(CompletionCode.HARDWARE_ERROR, f"printer went offline during the job ({sent} of {total} bytes sent)",
                                  RecoveryAction.RETRY, MSG_UNCONFIRMED, bytes=total, sent_bytes=sent)
    return None
