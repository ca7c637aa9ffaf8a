"""Session safety on screen, through real touches on the REAL flow engine: the hidden maintenance corner is
inert while a citizen is served (a long press on a form opens nothing and keeps the form), the language
chosen by one citizen is not the next one's, and ID/phone numbers on the form are masked with 显示."""

from __future__ import annotations

import time

import pytest
from kivy.tests.common import UnitTestTouch

from kiosk.flows import intents as I
from sim.ui.citizen import Citizen, reach


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


def _form(j):
    j.home()
    j.search("sydj")
    j.press("home", "失业登记")
    return reach(j, Citizen("zhangsan"), "form", ("一般失业人员",))


def _field(j, suffix: str):
    return next(f for f in j.vm.fields if f.id.split(".")[-1] == suffix)


def test_language_and_elder_mode_reset_for_the_next_citizen(journey):
    """Also point 7's toggle (中文 while English is on) and the card types the identify screen names."""
    j = journey
    app = j.driver.app
    j.home()
    j.search("sydj")
    j.press("home", "失业登记")
    j.until(lambda: j.vm.kind == "identify" and j.vm.phase == "choose", "the identify screen", 10)
    identify = j.driver.screen("identify")
    assert identify.ids.card_types.text == "身份证读卡器可读：居民身份证、港澳台居民居住证、外国人永久居留身份证"
    j.bar("language")
    j.driver.pump(2)
    assert app.bottom_bar.ids.language.text == "中文", (app.language, app.bottom_bar.ids.language.text)  # names the language it switches to
    assert "Residence permit for Hong Kong, Macao and Taiwan residents" in identify.ids.card_types.text
    j.bar("elder")
    j.until(lambda: app.language == "en" and app.theme.elder, "English, elder mode", 10)
    j.bar("home")  # 退出: nothing was entered, so no question
    j.at("attract")
    assert app.language == "zh_CN" and not app.theme.elder
    j.tap_attract()
    j.at("home")
    assert app.bottom_bar.ids.language.text == "English" and app.bottom_bar.ids.home.text == "退出"


def test_form_numbers_masked_with_reveal_and_the_corner_inert(journey):
    j = journey
    app = j.driver.app
    form = _form(j)
    id_field, phone_field = _field(j, "id_number"), _field(j, "phone")
    id_input = form.inputs[id_field.id]
    assert id_field.value and id_input.text == id_field.value[:4] + "*" * (len(id_field.value) - 8) + id_field.value[-4:]
    assert id_field.value not in {w.text for w in form.walk() if isinstance(getattr(w, "text", None), str)}
    j.driver.tap(form.rows[id_field.id].reveal_button)  # 显示
    assert id_input.text == id_field.value
    j.until(lambda: id_input.masked and "*" in id_input.text, "masked again", 15)
    phone_input = form.inputs[phone_field.id]
    keys = [("", "13912345678")]
    if phone_input.value:
        j.driver.tap(phone_input)
        for _ in range(len(phone_input.value)):
            j.driver.tap(app.keyboard.key("backspace"), frames=0)
    j.type_into(phone_input, keys)
    assert phone_input.text == "13912345678"  # typing: the digits themselves
    j.keyboard_done()
    j.until(lambda: _field(j, "phone").value == "13912345678", "the phone accepted", 10)
    assert phone_input.text == "139****5678"
    assert I.SetField(phone_field.id, "13912345678") in j.port.sent  # the real number went to the flow

    session = j.port.controller.session
    corner = app.tech_corner
    touch = UnitTestTouch(*corner.to_window(*corner.center))
    touch.touch_down()  # the technician gesture, held well past hold_s, on a citizen's form
    deadline = time.monotonic() + corner.hold_s + 1.5
    while time.monotonic() < deadline:
        j.driver.pump(1)
        time.sleep(0.02)
    touch.touch_up()
    j.driver.pump(2)
    assert app.manager.current == "form" and j.vm.kind == "form"
    assert j.port.controller.session is session and _field(j, "phone").value == "13912345678"
    assert not any(isinstance(i, (I.MaintenanceLogin, I.MaintenanceAction, I.Cancel)) for i in j.port.sent)

    j.bar("home")  # 退出 asks: something was entered
    assert app.exit_confirm.parent is not None
    j.driver.tap(app.exit_confirm.ids.exit)
    j.at("attract")
    assert j.port.controller.session is None
