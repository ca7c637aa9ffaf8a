"""Lockdown, the idle overlay, the technician gesture, search by pinyin initials, English."""

from __future__ import annotations

import time

from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch

from kiosk.flows import intents as I


def test_escape_and_close_are_swallowed(journey):
    app = journey.driver.app
    assert Window.dispatch("on_keyboard", 27, 41, None, []) is True  # Esc
    assert Window.dispatch("on_keyboard", 285, 0, None, ["alt"]) is True  # Alt+F4
    assert Window.dispatch("on_request_close") is True
    journey.driver.pump(1)
    assert app.root_widget.get_root_window() is Window  # still running


def test_idle_overlay_counts_down_and_a_tap_continues(journey):
    journey.at("attract")
    journey.tap_attract()
    journey.at("home")
    journey.port.idle_warning(20)
    journey.driver.pump(2)
    overlay = journey.driver.app.overlay
    assert overlay.parent is not None and overlay.text == "还有 20 秒将退出，点击继续办理"
    sent = len(journey.port.sent)
    time.sleep(1.05)  # the keep-alive is throttled to one a second
    journey.driver.tap(overlay)
    assert I.Touch() in journey.port.sent[sent:]
    journey.port.idle_timeout()
    journey.at("attract")
    assert overlay.parent is None


def test_technician_corner_needs_a_long_press(journey):
    app = journey.driver.app
    journey.at("attract")
    corner = app.tech_corner
    journey.driver.tap(corner)  # a short tap: nothing
    journey.driver.pump(2)
    assert app.manager.current != "maintenance"
    touch = UnitTestTouch(*corner.to_window(*corner.center))
    touch.touch_down()
    deadline = time.monotonic() + 3
    while app.manager.current != "maintenance" and time.monotonic() < deadline:
        time.sleep(0.02)
        journey.driver.pump(1)
    touch.touch_up()
    assert app.manager.current == "maintenance"
    assert app.keyboard is not None and app.keyboard.mode == "digits"
    screen = app.screen_for("maintenance")
    journey.driver.pump(2)  # lay out the docked keyboard
    for digit in "246810":
        journey.driver.tap(app.keyboard.key(digit), frames=0)
    journey.driver.tap(screen.ids.next)
    assert I.MaintenanceLogin("totp", "246810") in journey.port.sent


def test_search_by_pinyin_initials(journey):
    journey.at("attract")
    journey.tap_attract()
    home = journey.at("home")
    journey.type_into(home.ids.query, [("", "hjzm")])
    journey.keyboard_done()
    deadline = time.monotonic() + 2
    while not journey.driver.app.current_vm.query and time.monotonic() < deadline:
        time.sleep(0.02)
        journey.driver.pump(1)
    assert [e.name for e in journey.driver.app.current_vm.results] == ["户籍证明出具"]
    assert journey.driver.button("home", "户籍证明出具")


def test_english_switch(journey):
    journey.at("attract")
    journey.tap_attract()
    journey.at("home")
    journey.bar("language")
    journey.driver.pump(2)
    texts = {w.text for w in journey.driver.app.root_widget.walk() if hasattr(w, "text")}
    assert {"Help", "Senior mode", "Exit", "Choose a service"} <= texts, sorted(t for t in texts if t)
    journey.bar("language")
    journey.driver.pump(2)
    assert "帮办" in {w.text for w in journey.driver.app.root_widget.walk() if hasattr(w, "text")}
