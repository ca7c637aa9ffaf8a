"""SANE status → completion, and the option vocabulary between our API and SANE backends.

python-sane only gives the ``sane_strstatus`` text of an error, so we match those fixed strings
(SANE 1.x standard, section 4.3.4). Pure functions: tested without a device.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.status import DeviceState

#: sane_strstatus() texts → SANE_Status names.
STATUS_TEXTS = {
    "Operation was cancelled": "CANCELLED",
    "Device busy": "DEVICE_BUSY",
    "Invalid argument": "INVAL",
    "End of file reached": "EOF",
    "Document feeder jammed": "JAMMED",
    "Document feeder out of documents": "NO_DOCS",
    "Scanner cover is open": "COVER_OPEN",
    "Error during device I/O": "IO_ERROR",
    "Out of memory": "NO_MEM",
    "Access to resource has been denied": "ACCESS_DENIED",
    "Operation not supported": "UNSUPPORTED",
}


def status_name(message: str) -> str:
    """``Document feeder jammed`` → ``JAMMED``; unknown texts → ``UNKNOWN``."""
    return STATUS_TEXTS.get(message.strip(), "UNKNOWN")


@dataclass(frozen=True)
class ScanFault:
    code: CompletionCode
    action: RecoveryAction
    state: DeviceState | None  # resting state to report (None: stays online)
    description: str
    citizen_message: str


_FAULTS: dict[str, ScanFault] = {
    "NO_DOCS": ScanFault(CompletionCode.NO_MEDIA, RecoveryAction.CLEAR, None, "feeder empty", "进纸器内没有材料，请放入材料后重试"),
    "JAMMED": ScanFault(CompletionCode.HARDWARE_ERROR, RecoveryAction.CLEAR, DeviceState.USER_ERROR, "paper jam", "扫描仪卡纸，请联系工作人员处理"),
    "COVER_OPEN": ScanFault(CompletionCode.USER_ERROR, RecoveryAction.CLEAR, DeviceState.USER_ERROR, "cover open", "请合上扫描仪盖板后重试"),
    "DEVICE_BUSY": ScanFault(CompletionCode.DEVICE_NOT_READY, RecoveryAction.RETRY, None, "device busy", "扫描仪正忙，请稍后重试"),
    "CANCELLED": ScanFault(CompletionCode.CANCELED, RecoveryAction.RETRY, None, "scan cancelled by the device", "扫描已取消"),
    "IO_ERROR": ScanFault(CompletionCode.HARDWARE_ERROR, RecoveryAction.RESET, DeviceState.HARDWARE_ERROR, "device I/O error",
                          "扫描仪故障，请联系工作人员或选择其他方式"),
    "ACCESS_DENIED": ScanFault(CompletionCode.DEVICE_NOT_READY, RecoveryAction.MAINTENANCE, DeviceState.NO_DEVICE, "access denied",
                               "扫描仪暂不可用，请联系工作人员"),
}


def fault_for(message: str) -> ScanFault:
    """The completion for a SANE error text (unknown errors need a technician)."""
    name = status_name(message)
    known = _FAULTS.get(name)
    if known is not None:
        return known
    return ScanFault(CompletionCode.HARDWARE_ERROR, RecoveryAction.MAINTENANCE, DeviceState.HARDWARE_ERROR, f"SANE error: {message}",
                     "扫描仪故障，请联系工作人员或选择其他方式")


#: Our source / mode names → substrings to look for in a backend's option constraint list.
SOURCE_HINTS = {"flatbed": ("flatbed",), "adf": ("automatic document feeder", "adf", "feeder", "duplex")}
MODE_HINTS = {"color": ("color", "colour", "24bit"), "gray": ("gray", "grey", "8bit"), "lineart": ("lineart", "binary", "1bit")}


def pick_choice(wanted: str, offered: list[str], hints: Mapping[str, tuple[str, ...]]) -> str | None:
    """The backend's spelling of ``wanted`` (e.g. ``adf`` → ``Automatic Document Feeder``), or None."""
    key = "gray" if wanted in ("grey", "gray") else wanted
    for hint in hints.get(key, (key,)):
        for choice in offered:
            if hint in choice.lower():
                return choice
    return None
