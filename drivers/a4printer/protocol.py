"""What CUPS tells us, turned into completions: printer-state-reasons → code, recovery, messages.

Pure functions (no I/O) so the mapping is tested on its own. Reasons follow RFC 8011 keywords with
their ``-error`` / ``-warning`` / ``-report`` suffix; only ``-error`` (or no suffix) stops a job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.error_codes import DocumentPrinterError
from kiosk.terminal.status import DeviceState


@dataclass(frozen=True)
class Fault:
    """Why the printer cannot finish a job, and who must act."""

    code: CompletionCode
    action: RecoveryAction
    state: DeviceState
    description: str
    citizen_message: str
    reason: str
    stopped: bool = False  # the queue is stopped: no job will print until someone acts


_STAFF = "，请联系工作人员"
_FAULTS: dict[str, tuple[CompletionCode, RecoveryAction, DeviceState, str, str]] = {
    "media-empty": (CompletionCode.HARDWARE_ERROR, RecoveryAction.CLEAR, DeviceState.USER_ERROR, "paper out", "打印机缺纸" + _STAFF),
    "media-needed": (CompletionCode.HARDWARE_ERROR, RecoveryAction.CLEAR, DeviceState.USER_ERROR, "paper out", "打印机缺纸" + _STAFF),
    "media-jam": (CompletionCode.HARDWARE_ERROR, RecoveryAction.CLEAR, DeviceState.USER_ERROR, "paper jam", "打印机卡纸" + _STAFF),
    "door-open": (CompletionCode.HARDWARE_ERROR, RecoveryAction.CLEAR, DeviceState.USER_ERROR, "cover open", "打印机盖板未关闭" + _STAFF),
    "cover-open": (CompletionCode.HARDWARE_ERROR, RecoveryAction.CLEAR, DeviceState.USER_ERROR, "cover open", "打印机盖板未关闭" + _STAFF),
    "toner-empty": (CompletionCode.HARDWARE_ERROR, RecoveryAction.MAINTENANCE, DeviceState.HARDWARE_ERROR, "toner empty", "打印机墨粉耗尽" + _STAFF),
    "marker-supply-empty": (CompletionCode.HARDWARE_ERROR, RecoveryAction.MAINTENANCE, DeviceState.HARDWARE_ERROR,
                            "toner empty", "打印机墨粉耗尽" + _STAFF),
    "offline": (CompletionCode.DEVICE_NOT_READY, RecoveryAction.RESET, DeviceState.OFFLINE, "printer offline", "打印机未连接" + _STAFF),
    "connecting-to-device": (CompletionCode.DEVICE_NOT_READY, RecoveryAction.RESET, DeviceState.OFFLINE,
                             "printer not reachable", "打印机未连接" + _STAFF),
    "paused": (CompletionCode.DEVICE_NOT_READY, RecoveryAction.MAINTENANCE, DeviceState.OFFLINE, "queue stopped", "打印机已暂停服务" + _STAFF),
}
_IGNORED = {"none", "other"}


def base_reason(keyword: str) -> tuple[str, str]:
    """``media-jam-error`` → (``media-jam``, ``error``); no suffix counts as an error."""
    for suffix in ("-error", "-warning", "-report"):
        if keyword.endswith(suffix):
            return keyword[: -len(suffix)], suffix[1:]
    return keyword, "error"


def fault_from_printer(state: int, reasons: list[str], message: str) -> Fault | None:
    """Why the printer cannot print now, or None.

    ``state`` is printer-state (3 idle, 4 processing, 5 stopped). A stopped printer always yields a
    fault, explained by its first ``-error`` reason (``paused`` if none). A running printer yields
    one only while it is processing with an ``-error`` reason (the caller decides how long to
    tolerate it): an idle printer's reasons may be stale, since a backend clears them only when
    the next job runs.
    """
    if state == 3:
        return None
    chosen: tuple[str, tuple[CompletionCode, RecoveryAction, DeviceState, str, str]] | None = None
    for keyword in reasons:
        base, severity = base_reason(keyword)
        if base in _IGNORED or severity != "error" or base == "paused":
            continue
        known = _FAULTS.get(base)
        chosen = (keyword, known or (CompletionCode.HARDWARE_ERROR, RecoveryAction.MAINTENANCE, DeviceState.HARDWARE_ERROR,
                                     base, "打印机故障" + _STAFF))
        break
    if chosen is None and state == 5:
        chosen = ("paused", _FAULTS["paused"])
    if chosen is None:
        return None
    keyword, (code, action, dev_state, description, citizen) = chosen
    detail = f"{description}: {message}" if message and message not in description else description
    return Fault(code, action, dev_state, detail, citizen, keyword, stopped=state == 5)


#: Reasons that name a physical condition (paper, jam, door, toner): true until a job proves otherwise.
_CONDITIONS = {"media-empty", "media-needed", "media-jam", "door-open", "cover-open", "toner-empty", "marker-supply-empty"}


def standing_condition(reasons: list[str], message: str) -> Fault | None:
    """A physical condition CUPS reports on a queue that is not stopped (e.g. idle with ``media-empty-error``
    after the printer said so): the status must show it, though the next job may find it cured — CUPS clears
    such a reason only when a job runs, so printing is not refused for it."""
    for keyword in reasons:
        base, severity = base_reason(keyword)
        if base in _CONDITIONS and severity == "error":
            code, action, state, description, citizen = _FAULTS[base]
            said = f"{description} (CUPS: {keyword}{', ' + message if message else ''})"
            return Fault(code, action, state, said, citizen, keyword)
    return None


_ERROR_CODES = {"media-empty": DocumentPrinterError.PAPER_OUT, "media-needed": DocumentPrinterError.PAPER_OUT,
                "media-jam": DocumentPrinterError.MEDIA_JAMMED, "door-open": DocumentPrinterError.COVER_OPEN,
                "cover-open": DocumentPrinterError.COVER_OPEN, "toner-empty": DocumentPrinterError.TONER_OUT,
                "marker-supply-empty": DocumentPrinterError.TONER_OUT}


def error_code_for(reason: str) -> DocumentPrinterError | None:
    """The class error code of a printer-state reason (``media-empty-error`` → paperOut), None for others."""
    return _ERROR_CODES.get(base_reason(reason)[0])


_REQUEST_ID = re.compile(r"request id is (\S+)-(\d+)")


def parse_lp_output(stdout: str) -> int:
    """Job id from ``lp``'s "request id is QUEUE-12 (1 file(s))"; ValueError if absent."""
    match = _REQUEST_ID.search(stdout)
    if not match:
        raise ValueError(f"no job id in lp output {stdout.strip()!r}")
    return int(match.group(2))


def classify_lp_error(stderr: str) -> tuple[CompletionCode, RecoveryAction, str]:
    """Why ``lp`` refused the job (it prints one ``lp: …`` line)."""
    text = stderr.strip().splitlines()[-1] if stderr.strip() else "lp failed"
    lowered = text.lower()
    if "not accepting jobs" in lowered:
        return CompletionCode.DEVICE_NOT_READY, RecoveryAction.MAINTENANCE, text
    if "does not exist" in lowered or "not found" in lowered:
        return CompletionCode.DEVICE_NOT_READY, RecoveryAction.MAINTENANCE, text
    if "scheduler is not running" in lowered or "unable to connect" in lowered:
        return CompletionCode.DEVICE_NOT_READY, RecoveryAction.RESET, text
    return CompletionCode.HARDWARE_ERROR, RecoveryAction.RETRY, text
