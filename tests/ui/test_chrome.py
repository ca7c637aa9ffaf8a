"""Lockdown, the idle overlay, the technician gesture, search by pinyin initials, English — on the REAL
flow engine (FlowRuntime: Controller, sim devices, embedded platform) behind the window."""

from __future__ import annotations

import time

import pytest
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch

from kiosk.flows import intents as I


@pytest.fixture()
def journey(flow_runtime):
    """A journey from the attract screen: any session of the previous test ended, Chinese, standard mode."""
    from sim.ui.journeys import Journey

    driver, port = flow_runtime
    if driver.app.language != "zh_CN":
        driver.app.toggle_language()
    driver.app.hide_keyboard()
    port.send(I.Cancel())
    j = Journey(driver, port, None)
    j.until(lambda: j.vm is not None and j.vm.kind == "attract" and driver.app.manager.current == "attract", "attract", 20)
    port.sent.clear()
    return j


def test_escape_and_close_are_swallowed(journey):
    app = journey.driver.app
    assert Window.dispatch("on_keyboard", 27, 41, None, []) is True  # Esc
    assert Window.dispatch("on_keyboard", 285, 0, None, ["alt"]) is True  # Alt+F4
    assert Window.dispatch("on_request_close") is True
    journey.driver.pump(1)
    assert app.root_widget.get_root_window() is Window  # still running


def test_idle_overlay_counts_down_and_a_tap_continues(journey):
    idle = journey.port.controller.idle
    saved = idle.timeout_s, idle.warning_s
    idle.timeout_s, idle.warning_s = 0.5, 20.0  # plain floats the timer re-reads each second
    try:
        journey.home()
        overlay = journey.driver.app.overlay
        journey.until(lambda: overlay.parent is not None, "the idle warning", 10)
        assert overlay.text in ("还有 20 秒将退出，点击继续办理", "还有 19 秒将退出，点击继续办理"), overlay.text
        sent = len(journey.port.sent)
        time.sleep(1.05)  # the keep-alive is throttled to one a second
        journey.driver.tap(overlay)
        assert I.Touch() in journey.port.sent[sent:]
        assert journey.vm.kind == "home"  # the tap continued the session
        idle.warning_s = 1.0  # now let it run out
        journey.until(lambda: journey.vm.kind == "attract", "the idle timeout", 15)
        journey.until(lambda: overlay.parent is None, "the overlay gone", 5)
    finally:
        idle.timeout_s, idle.warning_s = saved


def test_search_by_pinyin_initials(journey):
    journey.home()
    journey.search("hjzm")
    assert [e.name for e in journey.vm.results] == ["户籍证明出具"]
    assert journey.driver.button("home", "户籍证明出具")


def test_english_switch(journey):
    journey.home()
    journey.bar("language")
    journey.driver.pump(2)
    texts = {w.text for w in journey.driver.app.root_widget.walk() if hasattr(w, "text")}
    assert {"Help", "Senior mode", "Exit", "Choose a service"} <= texts, sorted(t for t in texts if t)
    journey.bar("language")
    journey.driver.pump(2)
    assert "帮办" in {w.text for w in journey.driver.app.root_widget.walk() if hasattr(w, "text")}


# The technician tests come last: the real controller keeps the pad up until someone logs in (see below).
def test_technician_corner_needs_a_long_press(journey):
    app = journey.driver.app
    journey.at("attract")
    corner = app.tech_corner
    journey.driver.tap(corner)  # a short tap: no maintenance (the attract screen takes it as a tap: a session starts)
    journey.driver.pump(2)
    assert app.manager.current != "maintenance"
    if journey.vm.kind != "attract":  # the corner is inert while a citizen is served: back to the idle screen first
        journey.bar("home")
        journey.until(lambda: journey.vm.kind == "attract" and app.manager.current == "attract", "attract", 10)
    touch = UnitTestTouch(*corner.to_window(*corner.center))
    touch.touch_down()
    journey.until(lambda: app.manager.current == "maintenance", "the maintenance pad", 3)
    touch.touch_up()
    assert app.keyboard is not None and app.keyboard.mode == "digits"
    screen = app.screen_for("maintenance")
    journey.driver.pump(2)  # lay out the docked keyboard
    for digit in "246810":
        journey.driver.tap(app.keyboard.key(digit), frames=0)
    journey.driver.tap(screen.ids.next)
    assert I.MaintenanceLogin("totp", "246810") in journey.port.sent


def test_a_pad_opened_by_accident_is_left_with_exit(flow_runtime):
    from sim.ui.journeys import Journey

    driver, port = flow_runtime
    j = Journey(driver, port, None)
    driver.app.open_maintenance()
    j.until(lambda: j.vm is not None and j.vm.kind == "maintenance", "the pad", 5)
    driver.app.hide_keyboard()
    j.bar("home")  # 退出
    j.until(lambda: j.vm.kind == "attract", "back to attract", 5)
