"""What a SAM status word means for the citizen and the device: one table, by SW3 value, never by text.

A card lifted mid-read (SW3=41) or moved during selection is the citizen's doing and a retry cures it:
``no_media`` with ``retry``, the reader stays online. A SAM that cannot authenticate the card (31/32) says
the card is not genuine — staff must look (``fraud_attempt``). A SAM that fails its self-test needs a
technician. A complaint about our own frame (10/11) is a line glitch: a transient fault.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from drivers.idcard import protocol as P
from drivers.idcard.sam import SamStatusError
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.error_codes import CommonError, ErrorCode, IdCardError


class Outcome(NamedTuple):
    code: CompletionCode
    action: RecoveryAction
    error: ErrorCode
    citizen: str | None = None


CARD_REMOVED = Outcome(CompletionCode.NO_MEDIA, RecoveryAction.RETRY, IdCardError.CARD_REMOVED, "证件被移动，请重新放置并保持不动")

BY_SW3: dict[int, Outcome] = {
    0x41: CARD_REMOVED,
    P.SW3_SELECT_FAILED: CARD_REMOVED,
    0x10: Outcome(CompletionCode.HARDWARE_ERROR, RecoveryAction.RETRY, CommonError.PROTOCOL),
    0x11: Outcome(CompletionCode.HARDWARE_ERROR, RecoveryAction.RETRY, CommonError.PROTOCOL),
    0x31: Outcome(CompletionCode.INVALID_DATA, RecoveryAction.FRAUD_ATTEMPT, IdCardError.SECURITY_FAIL, "证件无法通过验证，请联系工作人员"),
    0x32: Outcome(CompletionCode.INVALID_DATA, RecoveryAction.FRAUD_ATTEMPT, IdCardError.SECURITY_FAIL, "证件无法通过验证，请联系工作人员"),
    0x33: Outcome(CompletionCode.INVALID_DATA, RecoveryAction.RETRY, IdCardError.SECURITY_FAIL),
    0x40: Outcome(CompletionCode.USER_ERROR, RecoveryAction.CLEAR, IdCardError.INVALID_MEDIA, "无法识别该证件，请放置居民身份证或居住证"),
    0x60: Outcome(CompletionCode.HARDWARE_ERROR, RecoveryAction.MAINTENANCE, IdCardError.SAM_FAULT),
    0x66: Outcome(CompletionCode.HARDWARE_ERROR, RecoveryAction.MAINTENANCE, IdCardError.SAM_FAULT),
}
OTHER = Outcome(CompletionCode.HARDWARE_ERROR, RecoveryAction.RETRY, CommonError.PROTOCOL)


def sam_refused(exc: SamStatusError) -> Completion[Any]:
    """The completion for a SAM status the command did not expect."""
    outcome = BY_SW3.get(exc.sw3, OTHER)
    return Completion.failure(outcome.code, str(exc), outcome.action, outcome.citizen, error_code=outcome.error, sw3=f"{exc.sw3:02X}")
