"""One exit-code table for every ``kiosk device CLASS ACTION`` command (docs/device-cli.md).

A technician's script reads the same number for the same outcome whatever the device:

    ====  ==================  ==============================================================
    code  outcome             meaning
    ====  ==================  ==============================================================
    0     success             the command did what it was asked
    1     (other)             an unexpected failure; the line on stderr says what
    2     usage               bad command-line arguments (argparse)
    3     no_media            no card / code / paper in the device
    4     device_not_ready    no device: not plugged in, driver library missing, not opened
    5     timeout             the device or the medium did not answer in time
    6     invalid_data        the medium was read but its data is wrong (check digit, format)
    7     user_error          a person must act: paper out, cover open, card held wrongly
    8     hardware_error      the device failed (jam, transport error, bad answer)
    9     canceled            the command was canceled (Ctrl+C, SIGTERM)
    10    unsupported         the device cannot do this (e.g. no feeder)
    78    config              the device URL or its options are invalid (EX_CONFIG)
    ====  ==================  ==============================================================

Failures print one line on stderr (``fail``), never a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

from kiosk.errors import EXIT_CONFIG
from kiosk.terminal.completion import Completion, CompletionCode

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2

EXIT_CODES: dict[CompletionCode, int] = {
    CompletionCode.SUCCESS: EXIT_OK,
    CompletionCode.NO_MEDIA: 3,
    CompletionCode.DEVICE_NOT_READY: 4,
    CompletionCode.TIMEOUT: 5,
    CompletionCode.INVALID_DATA: 6,
    CompletionCode.USER_ERROR: 7,
    CompletionCode.HARDWARE_ERROR: 8,
    CompletionCode.CANCELED: 9,
    CompletionCode.UNSUPPORTED: 10,
}
EXIT_DEVICE_CONFIG = EXIT_CONFIG


def exit_code(code: CompletionCode | str) -> int:
    """The table's number for a completion code (``"timeout"`` or ``CompletionCode.TIMEOUT``)."""
    try:
        return EXIT_CODES[CompletionCode(code)]
    except ValueError:
        return EXIT_OTHER


def fail(result: Completion[Any], what: str = "") -> int:
    """Print ``code: description`` on stderr and return the table's exit code."""
    prefix = f"{what}: " if what else ""
    print(f"{prefix}{result.code.value}: {result.description}", file=sys.stderr)
    return exit_code(result.code)
