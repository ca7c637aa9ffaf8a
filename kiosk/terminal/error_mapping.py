"""The boundary mapping from a driver exception to a Completion, in one place (used by the command runner)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kiosk.errors import (
    CommandCanceled,
    DeviceIOError,
    DeviceTimeoutError,
    DeviceUnavailableError,
    InvalidDataError,
    ProtocolError,
)
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.error_codes import CommonError, ErrorCode


def completion_from_exception(exc: BaseException, token: CancelToken | None = None) -> Completion[Any]:
    """Translate a driver exception into a completion (the boundary mapping, in one place); an ``error_code``
    attribute on the exception (e.g. a checksum error) refines the code chosen here."""
    result = _by_exception(exc, token)
    finer = getattr(exc, "error_code", None)
    if isinstance(finer, ErrorCode) and result.error_code is not None:
        return replace(result, error_code=finer)
    return result


def _by_exception(exc: BaseException, token: CancelToken | None) -> Completion[Any]:
    if isinstance(exc, CommandCanceled):
        if token is not None and token.reason == "timeout":
            return Completion.failure(CompletionCode.TIMEOUT, "command timed out and was stopped")
        return Completion.failure(CompletionCode.CANCELED, f"canceled: {exc}")
    if isinstance(exc, DeviceTimeoutError):
        return Completion.failure(CompletionCode.TIMEOUT, f"device silent: {exc}", error_code=CommonError.DEVICE_SILENT)
    if isinstance(exc, DeviceUnavailableError):
        return Completion.failure(CompletionCode.DEVICE_NOT_READY, f"device unavailable: {exc}", RecoveryAction.MAINTENANCE,
                                  error_code=CommonError.NO_DEVICE)
    if isinstance(exc, InvalidDataError):
        return Completion.failure(CompletionCode.INVALID_DATA, f"invalid data: {exc}")
    if isinstance(exc, ProtocolError):
        return Completion.failure(CompletionCode.HARDWARE_ERROR, f"protocol error: {exc}", RecoveryAction.RETRY, error_code=CommonError.PROTOCOL)
    if isinstance(exc, DeviceIOError):
        return Completion.failure(CompletionCode.HARDWARE_ERROR, f"I/O error: {exc}", RecoveryAction.RESET, error_code=CommonError.IO)
    if isinstance(exc, OSError):  # an untranslated OS failure is still the device's, not a bug
        return Completion.failure(CompletionCode.HARDWARE_ERROR, f"OS error: {exc}", RecoveryAction.RESET, error_code=CommonError.IO)
    return Completion.failure(CompletionCode.HARDWARE_ERROR, f"unexpected {type(exc).__name__}: {exc}", RecoveryAction.SOFTWARE_ERROR,
                              error_code=CommonError.INTERNAL)
