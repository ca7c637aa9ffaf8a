"""THE terminal integration layer: device contracts, runner, events, registry and the Terminal facade.

The public surface is re-exported here (tests/test_public_surface.py guards it against drift).
"""

from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.contracts import (
    BarcodeReader,
    Camera,
    ChipCardReader,
    Device,
    DocumentCamera,
    DocumentPrinter,
    IdCardReader,
    ReceiptPrinter,
    Scanner,
    Speaker,
)
from kiosk.terminal.device import DeviceService, UnavailableDevice
from kiosk.terminal.events import Error, Event, EventBus, MediaInserted, MediaRemoved, StatusChanged, Threshold
from kiosk.terminal.facade import Terminal
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.runner import CommandRunner
from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus

__all__ = [
    "BarcodeReader", "Camera", "CancelToken", "ChipCardReader", "CommandRunner", "Completion", "CompletionCode",
    "Device", "DeviceClass", "DeviceService", "DeviceSpec", "DeviceState", "DeviceStatus", "DeviceUrl",
    "DocumentCamera", "DocumentPrinter", "Error", "Event", "EventBus", "IdCardReader", "MediaInserted",
    "MediaRemoved", "ReceiptPrinter", "RecoveryAction", "Scanner", "Speaker", "StatusChanged", "Terminal",
    "Threshold", "UnavailableDevice", "build_device",
]
