"""The citizen services that had only a title on screen, tapped through the real widgets on the REAL flow
engine (FlowRuntime: Controller, sim devices, embedded platform): 办不成事 typed on the keyboard with an
optional, validated and masked phone number; 预约取号 centre → day → slot → 确认 → the ticket printed by the
sim receipt printer; 手机继续办's QR with its countdown."""

from __future__ import annotations

import time

import pytest

from kiosk.flows import intents as I
from sim.ui.citizen import Citizen, run_item


@pytest.fixture()
def journey(flow_runtime):
    from sim.ui.journeys import Journey

    driver, port = flow_runtime
    driver.app.hide_keyboard()
    if driver.app.current_vm is not None and driver.app.current_vm.kind != "attract":
        port.send(I.Cancel())
    j = Journey(driver, port, None)
    j.until(lambda: j.vm is not None and j.vm.kind == "attract" and driver.app.manager.current == "attract", "attract", 20)
    j.emulator("idcard").remove()  # no card left on the reader: the identify step sees the citizen place theirs
    settle = time.monotonic() + 1.5
    while time.monotonic() < settle:
        driver.pump(1)
        time.sleep(0.02)
    port.sent.clear()
    return j


def _open(j, label: str, kind: str):
    j.home()
    j.press("home", label)
    return j.at(kind)


def test_complaint_typed_on_the_keyboard_with_a_checked_masked_phone(journey):
    j = journey
    screen = _open(j, "办不成事反映", "complaint")
    j.press("complaint", "办事慢")
    assert screen.category == "slow" and j.driver.button("complaint", "● 办事慢")
    j.type_into(screen.ids.text, [("she", "社"), ("bao", "保"), ("ka", "卡"), ("diu", "丢"), ("le", "了")])
    j.keyboard_done()
    assert screen.ids.text.text == "社保卡丢了"
    phone = screen.ids.phone
    j.type_into(phone, [("", "12345")])
    j.keyboard_done()
    j.press_id("complaint", "next")  # 提交反映 with a phone number that is not one
    assert screen.ids.phone_error.text == "请输入11位手机号码，或留空"
    assert not any(isinstance(i, I.SubmitText) for i in j.port.sent)
    j.driver.tap(phone)
    for _ in range(5):
        j.driver.tap(j.driver.app.keyboard.key("backspace"), frames=0)
    j.type_into(phone, [("", "13812345678")])
    j.keyboard_done()
    assert phone.text == "138****5678" and phone.value == "13812345678"  # masked on screen
    j.press_id("complaint", "reveal")
    assert phone.text == "13812345678"  # 显示: the citizen checks the number
    j.until(lambda: phone.text == "138****5678", "masked again after the reveal", 15)
    before = j.vm
    j.press_id("complaint", "next")
    j.changed(before, 15)
    assert I.SubmitText("社保卡丢了", phone="13812345678", category="slow") in j.port.sent
    j.until(lambda: j.vm.submitted, "the reference", 10)
    assert j.vm.reference.startswith("BBC") and j.vm.reference in screen.ids.result.text
    j.press_id("complaint", "next")  # 返回首页
    j.at("home")


def test_complaint_too_short_is_refused_in_plain_words(journey):
    j = journey
    screen = _open(j, "办不成事反映", "complaint")
    j.type_into(screen.ids.text, [("she", "社"), ("bao", "保")])
    j.keyboard_done()
    before = j.vm
    j.press_id("complaint", "next")
    j.changed(before, 10)
    assert j.vm.error == "请至少写5个字说明情况" and screen.ids.result.text == "请至少写5个字说明情况"
    assert screen.ids.text.text == "社保"  # nothing typed is lost
    app = j.driver.app
    j.bar("home")  # 退出 with words typed but not filed: asked first
    assert app.exit_confirm.parent is not None
    j.driver.tap(app.exit_confirm.ids.exit)
    j.at("attract")
    assert screen.ids.text.text == ""  # the next citizen does not see them


def test_queue_ticket_centre_day_confirm_and_printed(journey):
    j = journey
    screen = _open(j, "预约取号", "appointment")
    centres = screen.ids.centres.children
    assert centres, "no centre offered"
    j.driver.tap(centres[-1])  # the nearest centre
    j.until(lambda: j.vm.centre and j.vm.days, "days and slots", 20)
    vm = j.vm
    assert vm.slots[0].id == "now" and len(vm.slots) > 1
    days = list(reversed(screen.ids.days.children))
    assert len(days) == len(vm.days) >= 2 and days[0].text.startswith("●")
    j.driver.tap(days[1])  # another day
    j.until(lambda: j.vm.day == vm.days[1].id, "the second day's slots", 10)
    assert list(reversed(screen.ids.days.children))[1].text.startswith("●")
    printer = j.emulator("printer")
    printed = len(printer.jobs) if hasattr(printer, "jobs") else 0
    j.press("appointment", "现场取号")
    assert screen.ids.confirm.opacity == 1 and "现场取号" in screen.ids.question.text  # asked first
    assert not any(isinstance(i, I.Choose) and i.what == "slot" for i in j.port.sent)
    j.press_id("appointment", "reselect")  # 重新选择: nothing taken
    assert screen.ids.confirm.opacity == 0
    j.press("appointment", "现场取号")
    j.press_id("appointment", "ok")
    j.until(lambda: j.vm.ticket is not None or bool(j.vm.error), "the ticket", 20)
    assert j.vm.ticket is not None, j.vm.error
    assert I.Choose("slot", "now") in j.port.sent
    assert screen.ids.number.text == j.vm.ticket.number and j.vm.printed
    assert "凭条已打印" in screen.ids.details.text
    jobs = printer.wait_for_jobs(printed + 1, 10)
    assert jobs and j.vm.ticket.number.encode() in jobs[-1]  # the number on the paper
    j.press_id("appointment", "next")  # 完成: the session ends
    j.at("attract")


def test_handover_qr_with_countdown_then_exit_asks_first(journey):
    j = journey
    j.home()
    j.search("sydj")
    j.press("home", "失业登记")
    run_item(j, Citizen("zhangsan", answers=("一般失业人员",)), stop_at="confirm")
    j.press("confirm", "手机继续办")
    screen = j.at("handover")
    assert j.vm.qr_payload and j.vm.expires_in_s > 60
    assert screen.ids.qr.texture is not None and screen.ids.qr.texture.size[0] > 50  # the QR drawn from the PNG
    assert screen.ids.countdown.text.startswith("二维码有效期 ") and ":" in screen.ids.countdown.text
    first = screen.seconds_left
    j.until(lambda: screen.seconds_left < first, "the countdown", 5)
    j.press_id("handover", "next")  # 返回: back on the confirm page
    j.at("confirm")

    app = j.driver.app
    j.bar("home")  # 退出 with a form filled in: asked first
    assert app.exit_confirm.parent is not None and j.vm.kind == "confirm"
    assert app.exit_confirm.ids.question.text == "确定退出？已填写的内容将被清除"
    j.driver.tap(app.exit_confirm.ids.stay)  # 继续办理
    assert app.exit_confirm.parent is None and j.vm.kind == "confirm" and j.port.controller.session is not None
    assert I.Cancel() not in j.port.sent
    j.bar("home")
    j.driver.tap(app.exit_confirm.ids.exit)  # 确定退出
    j.at("attract")
    assert j.port.controller.session is None and I.Cancel() in j.port.sent


def test_help_on_site_then_video_then_phone_callback(journey):
    j = journey
    j.home()
    j.bar("help")
    screen = j.at("help")
    j.until(lambda: j.vm.requested and j.vm.mode == "on_site", "the on-site call", 15)
    assert "预计" in screen.ids.message.text
    j.press("help", "改为视频帮办")
    j.until(lambda: j.vm.requested and j.vm.mode == "remote_video", "the video call queued", 15)
    assert screen.ids.message.text.startswith("已为您排队视频帮办")
    j.press("help", "改为电话回拨")
    j.until(lambda: j.vm.needs_phone, "the number asked for", 15)
    j.type_into(screen.ids.phone, [("", "1391234")])
    j.keyboard_done()
    j.press_id("help", "call_back")
    assert screen.ids.phone_error.text == "请输入11位手机号码" and not any(isinstance(i, I.SubmitText) for i in j.port.sent)
    j.driver.tap(screen.ids.phone)
    j.type_into(screen.ids.phone, [("", "5678")])
    j.keyboard_done()
    assert screen.ids.phone.text == "139****5678"
    j.press_id("help", "call_back")
    j.until(lambda: j.vm.requested and j.vm.mode == "phone_callback", "the call back", 15)
    assert I.SubmitText("电话回拨", phone="13912345678") in j.port.sent
    assert screen.ids.message.text == "已登记电话回拨，工作人员将拨打139****5678"


def test_case_status_by_a_typed_number(journey):
    j = journey
    screen = _open(j, "办件查询", "case_status")
    j.type_into(screen.ids.number, [("", "cqyb0001209901010001")])
    assert j.driver.app.keyboard.mode == "letters"
    j.keyboard_done()
    before = j.vm
    j.press_id("case_status", "look_up")
    j.changed(before, 15)
    assert I.SubmitText("cqyb0001209901010001") in j.port.sent
    assert j.vm.error == "没有查到该受理编号，请核对后重新输入"
    assert any(w.text == j.vm.error for w in screen.walk() if hasattr(w, "text"))


def test_the_demo_journey_reaches_every_new_screen(journey):
    from sim.ui.journeys import JOURNEYS

    JOURNEYS["more_services"](journey)
    for shot in ("complaint:filed", "appointment:confirm", "appointment:ticket", "handover", "confirm:exit-question", "attract:after-exit"):
        assert shot in journey.screens, journey.screens
    assert journey.port.controller.session is None
