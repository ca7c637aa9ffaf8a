"""The in-service policy (kiosk.flows.availability): out of service only when no identification method works."""

from __future__ import annotations

from kiosk.flows.availability import NO_METHOD_REASON, assess
from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus

ID_DEVICES = (DeviceClass.ID_CARD_READER, DeviceClass.CHIP_CARD_READER, DeviceClass.BARCODE_READER, DeviceClass.CAMERA)
ALL = ("idcard_face", "ykm", "sscard", "agent")


def statuses(**states: DeviceState) -> dict[DeviceClass, DeviceStatus]:
    """Every identification device online except those named (by class value) with another state."""
    return {cls: DeviceStatus(cls.value, cls, states.get(cls.value, DeviceState.ONLINE)) for cls in ID_DEVICES}


def test_all_working_offers_every_method_and_no_notice():
    a = assess(statuses())
    assert a.in_service and a.out_of_service_reason == ""
    assert a.offer(ALL) == ALL and a.notice(ALL) == ""


def test_one_broken_reader_hides_its_method_and_names_the_others():
    a = assess(statuses(idcard=DeviceState.HARDWARE_ERROR))
    assert a.in_service
    assert a.offer(ALL) == ("ykm", "sscard", "agent")  # 代办 is not a device method: it stays
    assert a.notice(ALL) == "身份证读卡器暂不可用，请使用渝快码或社保卡"
    assert not a.serves("principal_card") and a.serves("faq")


def test_the_camera_down_takes_only_idcard_face():
    a = assess(statuses(camera=DeviceState.NO_DEVICE))
    assert a.working == ("sscard", "ykm")
    assert a.notice(("idcard_face", "sscard")) == "人脸识别摄像头暂不可用，请使用社保卡"


def test_a_citizen_made_error_is_not_a_broken_reader():
    assert assess(statuses(chipcard=DeviceState.USER_ERROR, idcard=DeviceState.BUSY)).working == ("idcard_face", "sscard", "ykm")


def test_all_broken_or_missing_is_out_of_service():
    broken = statuses(idcard=DeviceState.HARDWARE_ERROR, chipcard=DeviceState.OFFLINE, barcode=DeviceState.NO_DEVICE)
    a = assess(broken)
    assert not a.in_service and a.out_of_service_reason == NO_METHOD_REASON
    assert a.offer(ALL) == ("agent",)
    assert not a.serves("faq")
    # a device that is not configured at all is missing too
    assert not assess({DeviceClass.CAMERA: broken[DeviceClass.CAMERA]}).in_service


def test_an_item_whose_only_method_is_broken_says_so():
    a = assess(statuses(idcard=DeviceState.OFFLINE))
    assert a.offer(("idcard_face",)) == ()
    assert a.notice(("idcard_face",)) == "身份证读卡器暂不可用，本事项暂不能在本终端办理，请呼叫帮办或到附近终端办理"


def test_recovery_is_read_from_the_new_status():
    down = statuses(idcard=DeviceState.HARDWARE_ERROR, chipcard=DeviceState.HARDWARE_ERROR, barcode=DeviceState.HARDWARE_ERROR)
    assert not assess(down).in_service
    down[DeviceClass.CHIP_CARD_READER] = down[DeviceClass.CHIP_CARD_READER].with_state(DeviceState.ONLINE)
    assert assess(down).working == ("sscard",)
