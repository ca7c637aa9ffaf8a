"""XFS4IoT (CWA 17852) message frames: the header every message carries, and our completion codes in XFS terms.

Why this shape: diagnostics tools written against XFS4IoT speak JSON frames ``{"header": {...}, "payload":
{...}}`` over one WebSocket per service. The header follows the current framework's ``MessageHeader``
(name, requestId, type, version; ``timeout`` on commands, ``status`` on a refused acknowledge,
``completionCode``/``errorDescription`` on completions); class-specific failures put ``commandErrorCode``
in the header and the class's ``errorCode`` in the payload. Message versions are those the KAL XFS4IoT
framework (MIT) declares for each message; docs/xfs.md says where every fact comes from.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.terminal.completion import Completion, CompletionCode


class MessageType(str, enum.Enum):
    COMMAND = "command"
    ACKNOWLEDGE = "acknowledge"
    EVENT = "event"
    UNSOLICITED = "unsolicited"
    COMPLETION = "completion"


class AckStatus(str, enum.Enum):
    """Why a command was not queued (an accepted command's acknowledge has no status)."""

    INVALID_MESSAGE = "invalidMessage"
    INVALID_REQUEST_ID = "invalidRequestID"
    TOO_MANY_REQUESTS = "tooManyRequests"


#: Message versions as the KAL framework declares them ([XFS4Version] on each generated message class).
VERSIONS: dict[str, str] = {
    "Common.Status": "2.0",
    "Common.Status/completion": "3.0",
    "Common.Capabilities": "2.0",
    "Common.Capabilities/completion": "3.0",
    "Common.Cancel": "2.0",
    "Common.StatusChangedEvent": "3.0",
    "Common.ErrorEvent": "2.0",
    "ServicePublisher.GetServices": "2.0",
    "ServicePublisher.ServiceDetailEvent": "2.0",
    "CardReader.ReadRawData": "2.0",
    "CardReader.ReadRawData/completion": "3.0",
    "CardReader.Reset": "2.0",
    "CardReader.InsertCardEvent": "2.0",
    "CardReader.MediaInsertedEvent": "2.0",
    "CardReader.MediaRemovedEvent": "2.0",
    "Printer.PrintRaw": "3.0",
    "Printer.Reset": "3.0",
    "Printer.Reset/completion": "2.0",
    "Printer.PaperThresholdEvent": "2.0",
    "Printer.MediaPresentedUnsolicitedEvent": "2.0",
    "Printer.MediaTakenEvent": "2.0",
    "Camera.TakePicture": "2.0",
    "Camera.TakePicture/completion": "3.0",
    "Camera.Reset": "2.0",
    "BarcodeReader.Read": "2.0",
    "BarcodeReader.Read/completion": "3.0",
    "BarcodeReader.Reset": "2.0",
}


def version_of(name: str, kind: MessageType) -> str:
    if kind in (MessageType.COMPLETION, MessageType.ACKNOWLEDGE):
        return VERSIONS.get(f"{name}/completion", VERSIONS.get(name, "2.0"))
    return VERSIONS.get(name, "2.0")


class CommandHeader(BaseModel):
    """The header of an incoming command; anything else is an ``invalidMessage``."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    name: str = Field(pattern=r"^[A-Za-z0-9]+\.[A-Za-z0-9]+$")
    request_id: int = Field(alias="requestId", ge=1)
    type: MessageType
    version: str = "2.0"
    timeout: int | None = Field(None, ge=0, description="milliseconds; 0 = no timeout (cancel only)")


class CommandFrame(BaseModel):
    model_config = ConfigDict(extra="allow")

    header: CommandHeader
    payload: dict[str, Any] = Field(default_factory=dict)


class BadFrame(Exception):
    """An incoming frame that is not a command (its request id, when one could be read, is kept)."""

    def __init__(self, reason: str, name: str = "", request_id: int | None = None, status: AckStatus = AckStatus.INVALID_MESSAGE) -> None:
        super().__init__(reason)
        self.reason, self.name, self.request_id, self.status = reason, name, request_id, status


def parse_command(raw: str | bytes) -> CommandFrame:
    """Read one command frame; raise BadFrame saying why not."""
    try:
        frame = CommandFrame.model_validate_json(raw)
    except ValidationError as exc:
        name, request_id = _salvage(raw)
        bad_id = any(err["loc"][:2] == ("header", "requestId") for err in exc.errors())
        status = AckStatus.INVALID_REQUEST_ID if bad_id else AckStatus.INVALID_MESSAGE
        raise BadFrame(exc.errors()[0]["msg"], name, request_id, status) from None
    if frame.header.type is not MessageType.COMMAND:
        raise BadFrame(f"a client sends commands, not {frame.header.type.value}", frame.header.name, frame.header.request_id)
    return frame


def _salvage(raw: str | bytes) -> tuple[str, int | None]:
    """Name and request id of a broken frame, when readable, so the acknowledge can echo them."""
    try:
        header = json.loads(raw).get("header", {})
    except (ValueError, AttributeError):
        return "", None
    if not isinstance(header, dict):
        return "", None
    name = header.get("name") if isinstance(header.get("name"), str) else ""
    rid = header.get("requestId")
    return str(name), rid if isinstance(rid, int) and not isinstance(rid, bool) and rid >= 0 else None


def frame(name: str, kind: MessageType, request_id: int | None, payload: dict[str, Any] | None = None, **header: Any) -> dict[str, Any]:
    """One outgoing message; ``header`` adds status/completionCode/errorDescription where they apply."""
    head: dict[str, Any] = {"name": name, "type": kind.value, "version": version_of(name, kind)}
    if request_id is not None:  # unsolicited events have none; a refused frame whose id could not be read neither
        head["requestId"] = request_id
    head.update({k: v for k, v in header.items() if v is not None})
    message: dict[str, Any] = {"header": head}
    if kind is not MessageType.ACKNOWLEDGE:
        message["payload"] = payload or {}
    return message


def acknowledge(name: str, request_id: int | None, status: AckStatus | None = None, reason: str = "") -> dict[str, Any]:
    return frame(name, MessageType.ACKNOWLEDGE, request_id, status=status.value if status else None, errorDescription=reason or None)


#: Our completion codes as XFS completion codes (class-specific ones are handled by ``error_codes``).
XFS_COMPLETION: dict[CompletionCode, str] = {
    CompletionCode.SUCCESS: "success",
    CompletionCode.CANCELED: "canceled",
    CompletionCode.TIMEOUT: "timeOut",
    CompletionCode.NO_MEDIA: "userError",
    CompletionCode.DEVICE_NOT_READY: "deviceNotReady",
    CompletionCode.HARDWARE_ERROR: "hardwareError",
    CompletionCode.INVALID_DATA: "invalidData",
    CompletionCode.USER_ERROR: "userError",
    CompletionCode.UNSUPPORTED: "unsupportedCommand",
}


def completion(
    name: str,
    request_id: int,
    result: Completion[Any] | None = None,
    payload: dict[str, Any] | None = None,
    error_codes: ErrorCodes | None = None,
    *,
    code: str | None = None,
    description: str = "",
) -> dict[str, Any]:
    """The completion frame of ``result`` (or of an explicit XFS ``code``).

    A failure whose class error code (``Completion.error_code``) is one the command's XFS4IoT completion
    defines completes ``commandErrorCode`` with that ``errorCode`` in the payload; a driver without
    error codes falls back to ``error_codes.by_code`` (e.g. no_media → CardReader ``noMedia``).
    """
    body = dict(payload or {})
    if result is not None:
        error_code = error_codes.for_result(result) if error_codes is not None and not result.ok else None
        if error_code is not None:
            code = "commandErrorCode"
            body["errorCode"] = error_code
        else:
            code = XFS_COMPLETION[result.code]
        description = description or ("" if result.ok else result.description)
    return frame(name, MessageType.COMPLETION, request_id, body, completionCode=code or "success", errorDescription=description or None)


@dataclass(frozen=True)
class ErrorCodes:
    """The ``errorCode`` values one XFS4IoT completion defines, and how ours reach them."""

    allowed: frozenset[str]
    renamed: dict[str, str] = field(default_factory=dict)  # our class error code → its XFS name
    by_code: dict[CompletionCode, str] = field(default_factory=dict)  # when the driver set no error code

    def for_result(self, result: Completion[Any]) -> str | None:
        if result.error_code is not None:
            value = self.renamed.get(result.error_code.value, result.error_code.value)
            if value in self.allowed:
                return value
        return self.by_code.get(result.code)
