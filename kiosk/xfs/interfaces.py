"""Our device classes as XFS4IoT interfaces: which interface each class is, its status and capabilities.

IdCardReader and ChipCardReader are CardReader services, ReceiptPrinter and DocumentPrinter Printer
services, Camera and DocumentCamera Camera services, BarcodeReader a BarcodeReader service. Scanner and
Speaker have no XFS4IoT interface in our subset and are not published. The commands themselves are in
``kiosk.xfs.commands``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus
from kiosk.xfs.messages import ErrorCodes


@dataclass(frozen=True)
class Interface:
    name: str  # XFS interface name, e.g. "CardReader"
    key: str  # its member in Status/Capabilities payloads, e.g. "cardReader"
    commands: tuple[str, ...]
    events: tuple[str, ...]


COMMON = Interface("Common", "common", ("Common.Status", "Common.Capabilities", "Common.Cancel"), ("Common.StatusChangedEvent", "Common.ErrorEvent"))
CARD_READER = Interface(
    "CardReader",
    "cardReader",
    ("CardReader.ReadRawData", "CardReader.Reset"),
    ("CardReader.InsertCardEvent", "CardReader.MediaInsertedEvent", "CardReader.MediaRemovedEvent"),
)
PRINTER = Interface(
    "Printer",
    "printer",
    ("Printer.PrintRaw", "Printer.Reset"),
    ("Printer.MediaPresentedEvent", "Printer.MediaTakenEvent", "Printer.PaperThresholdEvent", "Printer.MediaPresentedUnsolicitedEvent"),
)
CAMERA = Interface("Camera", "camera", ("Camera.TakePicture", "Camera.Reset"), ())
BARCODE_READER = Interface("BarcodeReader", "barcodeReader", ("BarcodeReader.Read", "BarcodeReader.Reset"), ())

#: The errorCode values each command's XFS4IoT completion defines (KAL framework ErrorCodeEnum; the 2021-1
#: schema has the same for ReadRawData, PrintRaw and Read), and the names ours take there.
ERROR_CODES: dict[str, ErrorCodes] = {
    "CardReader.ReadRawData": ErrorCodes(
        frozenset({"mediaJam", "shutterFail", "noMedia", "invalidMedia", "cardTooShort", "cardTooLong", "securityFail", "cardCollision"}),
        by_code={CompletionCode.NO_MEDIA: "noMedia", CompletionCode.INVALID_DATA: "invalidMedia"},
    ),
    "Printer.PrintRaw": ErrorCodes(
        frozenset({"shutterFail", "mediaJammed", "paperJammed", "paperOut", "tonerOut", "mediaRetained", "blackMark", "mediaRetracted"}),
    ),
    "Camera.TakePicture": ErrorCodes(frozenset({"cameraNotSupported", "mediaFull", "cameraInoperable"}), {"cameraInoperative": "cameraInoperable"}),
    "BarcodeReader.Read": ErrorCodes(
        frozenset({"barcodeInvalid"}), {"invalidCode": "barcodeInvalid"}, by_code={CompletionCode.INVALID_DATA: "barcodeInvalid"}
    ),
}

INTERFACE_OF: dict[DeviceClass, Interface] = {
    DeviceClass.ID_CARD_READER: CARD_READER,
    DeviceClass.CHIP_CARD_READER: CARD_READER,
    DeviceClass.RECEIPT_PRINTER: PRINTER,
    DeviceClass.DOCUMENT_PRINTER: PRINTER,
    DeviceClass.CAMERA: CAMERA,
    DeviceClass.DOCUMENT_CAMERA: CAMERA,
    DeviceClass.BARCODE_READER: BARCODE_READER,
}

#: DeviceState → Common.StatusProperties ``device``.
DEVICE_STATE: dict[DeviceState, str] = {
    DeviceState.ONLINE: "online",
    DeviceState.OFFLINE: "offline",
    DeviceState.NO_DEVICE: "noDevice",
    DeviceState.HARDWARE_ERROR: "hardwareError",
    DeviceState.USER_ERROR: "userError",
    DeviceState.BUSY: "deviceBusy",
    DeviceState.STARTING: "starting",
}

_PAPER = {"ok": "full", "near_end": "low", "out": "out"}
_CAMERA_SLOT = {DeviceClass.CAMERA: "person", DeviceClass.DOCUMENT_CAMERA: "exitSlot"}  # 高拍仪: the document tray
_SCANNER = {DeviceState.ONLINE: "on", DeviceState.BUSY: "on", DeviceState.OFFLINE: "off", DeviceState.STARTING: "off"}


def paper_level(status: DeviceStatus) -> str:
    return _PAPER.get(str(status.detail.get("paper", "")), "unknown")


def status_payload(status: DeviceStatus) -> dict[str, Any]:
    """The Common.Status completion payload (also the Common.StatusChangedEvent payload) for one device."""
    cls = status.device_class
    body: dict[str, Any] = {"common": {"device": DEVICE_STATE[status.state]}}
    iface = INTERFACE_OF[cls]
    if iface is CARD_READER:
        chip = "notSupported" if cls is DeviceClass.ID_CARD_READER else "unknown"
        body[iface.key] = {"media": "unknown", "security": "notSupported", "chipPower": chip}
    elif iface is PRINTER:
        body[iface.key] = {"media": "unknown", "paper": {"upper": paper_level(status)}}
    elif iface is CAMERA:
        slot = _CAMERA_SLOT[cls]
        working = "ok" if status.ready else ("unknown" if status.state is DeviceState.STARTING else "inop")
        body[iface.key] = {"media": {slot: "notSupported"}, "cameras": {slot: working}, "pictures": {slot: 0}}
    elif iface is BARCODE_READER:
        body[iface.key] = {"scanner": _SCANNER.get(status.state, "inoperative")}
    return body


def _versions(names: tuple[str, ...]) -> dict[str, Any]:
    from kiosk.xfs.messages import MessageType, version_of

    return {name: {"versions": [version_of(name, MessageType.COMMAND)]} for name in names}


def capabilities_payload(cls: DeviceClass, model: str, detail: dict[str, Any], service_version: str) -> dict[str, Any]:
    """The Common.Capabilities completion payload: interfaces with their commands/events, and class capabilities."""
    iface = INTERFACE_OF[cls]
    interfaces = [
        {"name": i.name, "commands": _versions(i.commands), "events": _versions(i.events), "maximumRequests": 8} for i in (COMMON, iface)
    ]
    described = ", ".join(f"{k}={v}" for k, v in sorted(detail.items()) if isinstance(v, (str, int, float, bool)))
    body: dict[str, Any] = {
        "interfaces": interfaces,
        "common": {"serviceVersion": service_version, "deviceInformation": [{"modelName": model, "modelDescription": described[:200]}]},
    }
    if iface is CARD_READER:
        chip = cls is DeviceClass.CHIP_CARD_READER
        body[iface.key] = {
            "type": "dip" if chip else "contactless",
            "readTracks": {"track1": False, "track2": False, "track3": False},
            "chipProtocols": {"chipT0": chip, "chipT1": chip, "chipTypeB": not chip},
            "cardTakenSensor": False,
        }
    elif iface is PRINTER:
        receipt = cls is DeviceClass.RECEIPT_PRINTER
        body[iface.key] = {
            "type": {"receipt": receipt, "document": not receipt},
            "control": {"cut": bool(detail.get("cutter", False))},
            "mediaPresented": bool(detail.get("presenter", False)),
            "mediaTaken": bool(detail.get("reports_taken", False)),
        }
    elif iface is CAMERA:
        body[iface.key] = {"type": "cam", "cameras": {_CAMERA_SLOT[cls]: True}, "maxPictures": 0, "pictureFile": False}
    elif iface is BARCODE_READER:
        body[iface.key] = {"canFilterSymbologies": False, "symbologies": {"qrCode": True}}
    return body
