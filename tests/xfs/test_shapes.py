"""The shape checker itself fails on frames that break the published shapes (so the service tests can fail),
and every device state's Status payload has the published shape."""

from __future__ import annotations

import pytest

from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus
from kiosk.xfs.interfaces import INTERFACE_OF, capabilities_payload, status_payload
from kiosk.xfs.messages import MessageType, completion, frame
from tests.xfs.shapes import check, problems

GOOD = {"header": {"name": "Common.Status", "type": "completion", "version": "3.0", "requestId": 1, "completionCode": "success"},
        "payload": {"common": {"device": "online"}}}


def _with(header: dict | None = None, payload: dict | None = None, drop: str = "") -> dict:
    message = {"header": {**GOOD["header"], **(header or {})}, "payload": payload if payload is not None else GOOD["payload"]}
    message["header"].pop(drop, None)
    return message


@pytest.mark.parametrize(
    ("message", "why"),
    [
        (_with({"completionCode": "ok"}), "is not one of"),
        (_with(drop="completionCode"), "completionCode"),
        (_with(drop="version"), "version"),
        (_with({"type": "unsolicited", "name": "Common.StatusChangedEvent"}), "requestId"),
        (_with({"status": "invalidMessage"}), "status"),
        (_with({"extra": 1}), "Additional properties"),
        (_with(payload={}), "'common' is a required property"),
        (_with(payload={"common": {"device": "broken"}}), "is not one of"),
        (_with({"name": "CardReader.Eject"}), "no completion CardReader.Eject"),
        ({"header": {**GOOD["header"], "type": "acknowledge"}, "payload": {}}, "payload"),
    ],
    ids=["code", "no-code", "no-version", "unsolicited-id", "status-on-completion", "extra-header", "no-common",
         "bad-device", "unpublished", "ack-payload"],
)
def test_the_checker_refuses(message: dict, why: str) -> None:
    found = problems(message)
    assert found and any(why in p for p in found), found


def test_the_checker_passes_a_good_frame() -> None:
    assert problems(GOOD) == []


@pytest.mark.parametrize("cls", list(INTERFACE_OF), ids=lambda c: c.value)
@pytest.mark.parametrize("state", list(DeviceState), ids=lambda s: s.value)
def test_status_of_every_state_and_class_has_the_published_shape(cls: DeviceClass, state: DeviceState) -> None:
    status = DeviceStatus(cls.value, cls, state, detail={"paper": "near_end"})
    check(completion("Common.Status", 1, payload=status_payload(status)))
    check(frame("Common.StatusChangedEvent", MessageType.UNSOLICITED, None, status_payload(status)))


@pytest.mark.parametrize("cls", list(INTERFACE_OF), ids=lambda c: c.value)
def test_capabilities_of_every_class_have_the_published_shape(cls: DeviceClass) -> None:
    check(completion("Common.Capabilities", 1, payload=capabilities_payload(cls, "Model", {"cutter": True, "port": "/dev/x"}, "0.1.0")))
