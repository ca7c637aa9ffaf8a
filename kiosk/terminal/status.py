"""DeviceStatus: a frozen snapshot of one device's state, published on every change."""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field, replace

from kiosk.terminal.completion import RecoveryAction


class DeviceState(str, enum.Enum):
    ONLINE = "online"
    OFFLINE = "offline"
    NO_DEVICE = "no_device"
    HARDWARE_ERROR = "hardware_error"
    USER_ERROR = "user_error"
    BUSY = "busy"
    STARTING = "starting"


# Named groups of states (the OctoPrint pattern): who may take a command, who needs a person.
READY_STATES = frozenset({DeviceState.ONLINE, DeviceState.BUSY})
FAULT_STATES = frozenset({DeviceState.OFFLINE, DeviceState.NO_DEVICE, DeviceState.HARDWARE_ERROR, DeviceState.USER_ERROR})


class DeviceClass(str, enum.Enum):
    ID_CARD_READER = "idcard"
    CHIP_CARD_READER = "chipcard"
    BARCODE_READER = "barcode"
    CAMERA = "camera"
    DOCUMENT_CAMERA = "doccam"
    SCANNER = "scanner"
    RECEIPT_PRINTER = "printer"
    DOCUMENT_PRINTER = "a4printer"
    SPEAKER = "speaker"


@dataclass(frozen=True)
class DeviceStatus:
    """One device's state plus class-specific detail (e.g. ``{"paper": "near_end"}``)."""

    device: str
    device_class: DeviceClass
    state: DeviceState
    description: str = ""
    detail: dict[str, object] = field(default_factory=dict)
    last_error: str = ""
    last_action: RecoveryAction | None = None
    since: float = field(default_factory=time.time)

    @property
    def ready(self) -> bool:
        return self.state in READY_STATES

    def with_state(self, state: DeviceState, description: str = "", **detail: object) -> DeviceStatus:
        merged = {**self.detail, **detail}
        return replace(self, state=state, description=description, detail=merged, since=time.time())

    def to_dict(self) -> dict[str, object]:
        return {
            "device": self.device,
            "class": self.device_class.value,
            "state": self.state.value,
            "description": self.description,
            "detail": dict(self.detail),
            "last_error": self.last_error,
            "last_action": self.last_action.value if self.last_action else None,
            "since": self.since,
        }
