"""Completion: the result of every device command (modelled on XFS4IoT completion codes).

Expected outcomes — no card, paper out, jam, timeout — are completions with a recovery action,
never exceptions. ``description`` is for the technician (the cause); ``citizen_message`` is the
plain Chinese sentence a citizen sees.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from kiosk.terminal.error_codes import CommonError, ErrorCode

T = TypeVar("T")


class CompletionCode(str, enum.Enum):
    SUCCESS = "success"
    CANCELED = "canceled"
    TIMEOUT = "timeout"
    NO_MEDIA = "no_media"
    DEVICE_NOT_READY = "device_not_ready"
    HARDWARE_ERROR = "hardware_error"
    INVALID_DATA = "invalid_data"
    USER_ERROR = "user_error"
    UNSUPPORTED = "unsupported"


class RecoveryAction(str, enum.Enum):
    """What must happen before the device works again."""

    RESET = "reset"  # the software resets/reopens the device
    CLEAR = "clear"  # a person clears a condition (add paper, close cover, lift card)
    MAINTENANCE = "maintenance"  # a technician must come
    SUSPEND = "suspend"  # take the device out of service for now
    RETRY = "retry"  # just try again
    CONFIGURATION = "configuration"  # the configuration is wrong: fix it (a technician, not a reset)
    SOFTWARE_ERROR = "software_error"  # a bug in the driver or above it: nothing to do at the device
    FRAUD_ATTEMPT = "fraud_attempt"  # tampering suspected (a forged or foreign card): staff must look


CITIZEN_MESSAGES: dict[CompletionCode, str] = {
    CompletionCode.SUCCESS: "操作成功",
    CompletionCode.CANCELED: "操作已取消",
    CompletionCode.TIMEOUT: "设备响应超时，请稍后重试",
    CompletionCode.NO_MEDIA: "未检测到证件或材料，请按提示放置",
    CompletionCode.DEVICE_NOT_READY: "设备暂不可用，请联系工作人员或选择其他方式",
    CompletionCode.HARDWARE_ERROR: "设备故障，请联系工作人员或选择其他方式",
    CompletionCode.INVALID_DATA: "读取的信息有误，请重新放置或更换证件",
    CompletionCode.USER_ERROR: "操作有误，请按提示重新操作",
    CompletionCode.UNSUPPORTED: "本设备不支持此功能",
}

DEFAULT_ACTIONS: dict[CompletionCode, RecoveryAction | None] = {
    CompletionCode.SUCCESS: None,
    CompletionCode.CANCELED: None,
    CompletionCode.TIMEOUT: RecoveryAction.RETRY,
    CompletionCode.NO_MEDIA: RecoveryAction.CLEAR,
    CompletionCode.DEVICE_NOT_READY: RecoveryAction.RESET,
    CompletionCode.HARDWARE_ERROR: RecoveryAction.RESET,
    CompletionCode.INVALID_DATA: RecoveryAction.RETRY,
    CompletionCode.USER_ERROR: RecoveryAction.CLEAR,
    CompletionCode.UNSUPPORTED: None,
}


@dataclass(frozen=True)
class Completion(Generic[T]):
    """Outcome of one device command. ``data`` is set on success (and may be on partial results).

    ``error_code`` names the failure in the device class's terms (kiosk.terminal.error_codes): branch on it,
    never on ``description``. ``request_id`` is the command's id (the runner stamps it), the same id its
    events carry and ``cancel(request_id=…)`` takes.
    """

    code: CompletionCode
    description: str = ""
    action: RecoveryAction | None = None
    data: T | None = None
    citizen_message: str = ""
    command: str = ""
    duration_s: float = 0.0
    detail: dict[str, object] = field(default_factory=dict)
    error_code: ErrorCode | None = None
    request_id: int = 0

    @property
    def ok(self) -> bool:
        return self.code is CompletionCode.SUCCESS

    @property
    def transient(self) -> bool:
        """A fault one retry may cure (card lifted mid-read, one bad checksum, one silent answer): it does not
        by itself put the device in ``hardware_error``; a run of them does (CommandRunner.transient_limit)."""
        if self.error_code is CommonError.DEVICE_SILENT:
            return True
        return self.action is RecoveryAction.RETRY and self.code is CompletionCode.HARDWARE_ERROR

    @classmethod
    def success(cls, data: T | None = None, description: str = "ok", **detail: object) -> Completion[T]:
        return cls(CompletionCode.SUCCESS, description, None, data, CITIZEN_MESSAGES[CompletionCode.SUCCESS], detail=dict(detail))

    @classmethod
    def failure(
        cls,
        code: CompletionCode,
        description: str,
        action: RecoveryAction | None = None,
        citizen_message: str | None = None,
        data: T | None = None,
        *,
        error_code: ErrorCode | None = None,
        **detail: object,
    ) -> Completion[T]:
        """A failed completion; the action and the citizen message default by code."""
        if code is CompletionCode.SUCCESS:
            raise ValueError("failure() needs a failure code")
        return cls(
            code,
            description,
            action if action is not None else DEFAULT_ACTIONS[code],
            data,
            citizen_message or CITIZEN_MESSAGES[code],
            detail=dict(detail),
            error_code=error_code,
        )

    def stamped(self, command: str, duration_s: float, request_id: int | None = None) -> Completion[T]:
        """The same completion, labelled with the command name, how long it took and (runner) its request id."""
        rid = self.request_id if request_id is None else request_id
        return replace(self, command=command, duration_s=duration_s, request_id=rid)
