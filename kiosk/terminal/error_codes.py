"""Class-specific error codes carried by a failed Completion (modelled on XFS4IoT completion ``errorCode``).

The completion code says *what kind* of outcome (``no_media``, ``hardware_error`` …); the error code says
*which* one in the device class's own terms, so callers branch on a value and never on the words of a
description. Values are the XFS4IoT camelCase names where XFS4IoT has one (CardReader.ReadRawData /
ChipIO, Printer.PrintForm, Camera.TakePicture), else a name in the same style. ``CommonError`` holds the
causes the runner itself detects for any class (a silent device, a garbled frame, a lost port). A driver
exception may name a finer code in an ``error_code`` attribute; the runner then uses it.
"""

from __future__ import annotations

import enum


class ErrorCode(str, enum.Enum):
    """Base of every error-code enum (no members: each device class declares its own)."""


class CommonError(ErrorCode):
    """Causes the runner maps from driver exceptions, whatever the class."""

    DEVICE_SILENT = "deviceSilent"  # no answer within the exchange's timeout
    PROTOCOL = "protocolError"  # a garbled or unexpected answer (garbage, framing, status word)
    CHECKSUM = "checksumError"  # a complete frame whose check value is wrong (line noise)
    IO = "ioError"  # the port or socket failed under us
    NO_DEVICE = "noDevice"  # nothing at the configured address
    CONFIGURATION = "configuration"  # the device's configuration is wrong (scheme, option, missing library)
    INTERNAL = "internalError"  # a software fault in the driver (a bug, not the hardware)


class IdCardError(ErrorCode):
    """二代证 reader (GA/T 467 SAM); XFS4IoT CardReader.ReadRawData names where they exist."""

    NO_MEDIA = "noMedia"  # no card in the field (or a card already read, not lifted)
    CARD_REMOVED = "cardRemoved"  # the card left the field during selection or the read (SW3=41/81)
    INVALID_MEDIA = "invalidMedia"  # the SAM read a block that is not an ID card layout
    SECURITY_FAIL = "securityFail"  # the SAM refused the card (authentication failed)
    CARD_COLLISION = "cardCollision"  # more than one card in the field
    SAM_FAULT = "samFault"  # the SAM itself reports a fault


class ChipCardError(ErrorCode):
    """社保卡 reader over PC/SC; XFS4IoT CardReader.ChipIO names."""

    NO_MEDIA = "noMedia"
    CARD_REMOVED = "cardRemoved"  # the card left the reader during the APDU sequence
    INVALID_MEDIA = "invalidMedia"  # a card without the wanted application (not a 社保卡)
    INVALID_DATA = "invalidData"  # the chip answered an unexpected status word or a malformed record
    ATR_NOT_OBTAINED = "atrNotObtained"  # the card would not power up
    SERVICE_DOWN = "serviceDown"  # pcscd is not running
    NO_READER = "noReader"  # no PC/SC reader matching the configuration


class PrinterError(ErrorCode):
    """Receipt printer (ESC/POS); XFS4IoT Printer.PrintForm / PrintRaw names."""

    PAPER_OUT = "paperOut"
    MEDIA_JAMMED = "mediaJammed"
    COVER_OPEN = "coverOpen"
    CUTTER_FAIL = "cutterFail"
    SHUTTER_FAIL = "shutterFail"
    CHAR_SET_DATA = "charSetData"  # text the printer's code page cannot print
    NOT_TAKEN = "mediaNotTaken"  # presented, not taken before the timeout
    NO_ANSWER = "noStatusAnswer"  # the printer went silent after the job (success not confirmed)


class DocumentPrinterError(ErrorCode):
    """A4 printer over CUPS."""

    PAPER_OUT = "paperOut"
    MEDIA_JAMMED = "mediaJammed"
    COVER_OPEN = "coverOpen"
    TONER_OUT = "tonerOut"
    JOB_ABORTED = "jobAborted"
    QUEUE_MISSING = "queueMissing"


class BarcodeError(ErrorCode):
    """渝快码 reader."""

    NO_CODE = "noCode"  # nothing shown before the deadline
    INVALID_CODE = "invalidCode"  # a payload that is not a 渝快码 (garbled, non-ASCII, wrong prefix)


class CameraError(ErrorCode):
    """Face camera / document camera; XFS4IoT Camera.TakePicture names."""

    CAMERA_NOT_SUPPORTED = "cameraNotSupported"
    MEDIA_FULL = "mediaFull"
    CAMERA_INOPERATIVE = "cameraInoperative"
    NO_SUBJECT = "noSubject"  # no face / no page passed the quality checks in time


class ScannerError(ErrorCode):
    """SANE scanner."""

    NO_MEDIA = "noMedia"  # ADF empty
    MEDIA_JAMMED = "mediaJammed"
    COVER_OPEN = "coverOpen"


class SpeakerError(ErrorCode):
    """Voice prompts."""

    NO_AUDIO_DEVICE = "noAudioDevice"
    TTS_FAILED = "ttsFailed"
