"""The attract screen rests: its prompt pulses a few cycles when it appears and then once every PULSE_EVERY_S;
between pulses no frame is drawn (software GL redrew the whole window 10×/s, 7×24, for a pulse that never
stopped). Frames are counted on the real window's ``on_flip``; the pulse's timing is shortened for the test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kivy.core.window import Window

import screens.attract as attract_module
from kiosk.flows.viewmodels import AttractVM, NoticeVM, SummaryRow

TIMEOUT_S = 15.0
OTHER_SCREEN = NoticeVM(elder_mode=False, title="失业登记 · 一次性告知", item_name="失业登记", situation="失业登记",
                        materials=(SummaryRow("居民身份证", "原件1份"),), conditions=(), time_limit="即办",
                        fees="不收费")  # generous: a loaded machine may run the clock slowly


@pytest.fixture
def quick_pulse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attract_module, "PULSE_HALF_S", 0.2)
    monkeypatch.setattr(attract_module, "PULSE_CYCLES_ON_SHOW", 2)
    monkeypatch.setattr(attract_module, "PULSE_EVERY_S", 2.0)


@pytest.fixture
def flips() -> Iterator[list[float]]:
    seen: list[float] = []

    def count(*_args: object) -> None:
        seen.append(time.monotonic())

    Window.bind(on_flip=count)
    yield seen
    Window.unbind(on_flip=count)


def _pump_until(driver: Any, done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        driver.pump(1)


def _pump_for(driver: Any, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        driver.pump(1)


def _show_attract(ui: Any, **kw: Any) -> Any:
    driver, port = ui
    port.publish(OTHER_SCREEN)  # leave attract first: a fresh appearance
    driver.pump(3)
    port.publish(AttractVM(hall_name="重庆市渝北区政务服务中心", **kw))
    driver.wait_for("attract")
    return driver.screen("attract")


def test_the_pulse_stops_and_nothing_is_drawn_until_the_next(ui: Any, quick_pulse: None, flips: list[float]) -> None:
    driver = ui[0]
    screen = _show_attract(ui)
    assert screen.pulsing  # the citizen sees the prompt move when the screen appears
    _pump_until(driver, lambda: not screen.pulsing, "the pulse on show never ended")
    assert screen.ids.prompt.opacity == 1  # it rests fully visible
    driver.pump(2)  # the frame that shows the last step
    flips.clear()
    resting = time.monotonic()
    _pump_until(driver, lambda: screen.pulsing, "no pulse after PULSE_EVERY_S")
    rested_s = time.monotonic() - resting
    drawn_while_resting = [t for t in flips if t >= resting]
    # a minute's turn of the clock may draw one frame; a pulse that kept running drew ~10 a second
    assert len(drawn_while_resting) <= 2, (len(drawn_while_resting), rested_s)
    _pump_until(driver, lambda: not screen.pulsing, "the periodic pulse never ended")
    assert len(flips) - len(drawn_while_resting) >= 2  # the pulse itself is drawn (the counter counts)


def test_no_pulse_while_out_of_service_or_off_screen(ui: Any, quick_pulse: None) -> None:
    driver, port = ui
    screen = _show_attract(ui)
    assert screen.pulsing
    port.publish(AttractVM(hall_name="重庆市渝北区政务服务中心", out_of_service=True, out_of_service_reason="身份证阅读器故障"))
    driver.pump(3)
    assert not screen.pulsing and screen._pulse_every is None
    _pump_for(driver, 2.5)  # past PULSE_EVERY_S: nothing restarts it
    assert not screen.pulsing
    screen = _show_attract(ui)
    assert screen.pulsing
    port.publish(OTHER_SCREEN)
    driver.pump(3)
    assert not screen.pulsing and screen._pulse_every is None and screen.ids.prompt.opacity == 1


def test_the_clock_wakes_at_the_minute_turn_not_every_second(ui: Any) -> None:
    screen = _show_attract(ui)
    event = screen._tick
    due_in = event.timeout  # seconds from its scheduling to the next minute's turn
    assert 0 < due_in <= 60.1
    shown = {time.strftime("%H:%M", time.localtime(time.time() - back)) for back in (0, 61)}
    assert any(screen.clock_text.endswith(text) for text in shown), screen.clock_text  # hours:minutes, current
    assert not screen._tick.is_triggered or screen._tick.timeout > 1.0  # not a 1 s interval
