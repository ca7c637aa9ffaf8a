"""Which identification methods (and so which services) work right now, from the devices' status.

Why a policy and not "a required device is down → closed": a terminal with a broken 二代证 reader
still serves everyone who carries a 社保卡 or the 渝快办 app. The terminal closes only when NO
identification method works; otherwise the identify screen offers the working methods and one plain
line says what is missing. Pure: status snapshots in, an ``Availability`` out; the flow layer asks again
whenever it draws the attract or identify screen (status changes on the EventBus redraw the attract
screen, so a recovered reader brings the terminal back into service without a restart).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kiosk.flows.viewmodels import IdentifyVM
from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus

if TYPE_CHECKING:
    from kiosk.terminal.facade import Terminal

#: What each identification method needs, in the order the screens offer them.
METHOD_DEVICES: dict[str, tuple[DeviceClass, ...]] = {
    "idcard_face": (DeviceClass.ID_CARD_READER, DeviceClass.CAMERA),  # 人证核验: the card and a live face
    "sscard": (DeviceClass.CHIP_CARD_READER,),
    "ykm": (DeviceClass.BARCODE_READER,),  # 渝快码: serial/HID scanner or the camera decoder, one barcode device
}

#: Steps that need one particular method besides identification in general: 代办's principal card (the
#: principal's 二代证 on the same reader) and the desk services' identify (case status by person, booking a
#: slot: kiosk.flows.citizen.desk identifies by 人证核验 only).
SERVICE_METHODS: dict[str, tuple[str, ...]] = {
    "principal_card": ("idcard_face",),
    "desk_identify": ("idcard_face",),
}

#: A device a citizen can use: ready, or in a citizen-made error (a card put in the wrong way round
#: is the citizen's to fix, not a broken reader).
USABLE_STATES = frozenset({DeviceState.ONLINE, DeviceState.BUSY, DeviceState.USER_ERROR})

DEVICE_NAMES: dict[DeviceClass, str] = {
    DeviceClass.ID_CARD_READER: "身份证读卡器",
    DeviceClass.CHIP_CARD_READER: "社保卡读卡器",
    DeviceClass.BARCODE_READER: "扫码器",
    DeviceClass.CAMERA: "人脸识别摄像头",
}
SHORT_NAMES = {"idcard_face": "身份证", "sscard": "社保卡", "ykm": "渝快码"}

NO_METHOD_REASON = "本终端暂时无法核验身份，请呼叫帮办或到附近终端办理"


def usable(status: DeviceStatus | None) -> bool:
    return status is not None and status.state in USABLE_STATES


@dataclass(frozen=True)
class Availability:
    """The identification methods that work now, and the devices that keep the others out."""

    working: tuple[str, ...]
    missing: Mapping[str, tuple[DeviceClass, ...]]  # broken method → the devices it lacks (unusable or not configured)

    @property
    def in_service(self) -> bool:
        return bool(self.working)

    @property
    def out_of_service_reason(self) -> str:
        return "" if self.in_service else NO_METHOD_REASON

    def offer(self, methods: Iterable[str]) -> tuple[str, ...]:
        """The subset of an item's ``methods`` to show, in the item's order (代办 is not a device method)."""
        return tuple(m for m in methods if m in self.working or m not in METHOD_DEVICES)

    def serves(self, service: str) -> bool:
        """A service works when any method works and the particular methods it needs (if any) do."""
        return self.in_service and all(m in self.working for m in SERVICE_METHODS.get(service, ()))

    def refusal(self, method: str) -> str:
        """Why ``method`` cannot be used now ("" when it can, or when it needs no device, e.g. 代办)."""
        return self.notice((method,)) if method in METHOD_DEVICES and method not in self.working else ""

    def notice(self, methods: Iterable[str]) -> str:
        """One plain line for the identify screen when some of the item's ``methods`` are hidden ("" when none are),
        e.g. 身份证读卡器暂不可用，请使用社保卡或渝快码."""
        wanted = tuple(m for m in methods if m in METHOD_DEVICES)
        hidden = [m for m in wanted if m not in self.working]
        if not hidden:
            return ""
        devices = list(dict.fromkeys(d for m in hidden for d in self.missing.get(m, ())))
        what = "、".join(DEVICE_NAMES.get(d, d.value) for d in devices) + "暂不可用"
        offered = [SHORT_NAMES[m] for m in wanted if m in self.working]
        if not offered:
            return what + "，本事项暂不能在本终端办理，请呼叫帮办或到附近终端办理"
        return what + "，请使用" + "或".join(offered)


def assess(statuses: Mapping[DeviceClass, DeviceStatus]) -> Availability:
    """``statuses``: the configured devices' current status (a class that is not configured is missing)."""
    working: list[str] = []
    missing: dict[str, tuple[DeviceClass, ...]] = {}
    for method, devices in METHOD_DEVICES.items():
        lacking = tuple(d for d in devices if not usable(statuses.get(d)))
        if lacking:
            missing[method] = lacking
        else:
            working.append(method)
    return Availability(tuple(working), missing)


def of_terminal(terminal: Terminal) -> Availability:
    """The terminal's availability now (each device's current status snapshot; never blocks on a device)."""
    return assess({cls: device.status() for cls, device in terminal.devices.items()})


def offer_working_methods(vm: IdentifyVM, availability: Availability) -> IdentifyVM:
    """The identify screen as drawn now: the item's methods whose devices work, one line naming what is
    missing (also spoken in elder mode while choosing), 代办's principal card only with a working 二代证 reader."""
    wanted = tuple(o.id for o in vm.methods)
    offered = availability.offer(wanted)
    notice = availability.notice(wanted)
    speak = notice if notice and vm.phase == "choose" and not vm.error and not vm.guidance else vm.speak
    return replace(vm, methods=tuple(o for o in vm.methods if o.id in offered), notice=notice, speak=speak,
                   principal_card=availability.serves("principal_card"))
