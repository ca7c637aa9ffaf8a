"""The home screen in elder mode (1.6× type) in the half-size test window: the item list is readable
and reachable (it used to be squeezed to zero height by the rows above and below it); the chrome does
not redo work on attract↔home switches (re-rendered bar labels, an attract pulse ticking off screen)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from kivy.animation import Animation
from kivy.metrics import dp

from kiosk.flows.controller import HIGH_FREQUENCY, SERVICES
from kiosk.flows.search import ItemIndex
from kiosk.flows.viewmodels import AttractVM, HomeVM
from kiosk.content import items_dir
from kiosk.items import load_catalog


@pytest.fixture(scope="module")
def index() -> ItemIndex:
    return ItemIndex(load_catalog(items_dir()))


def _home(index: ItemIndex, elder: bool) -> HomeVM:
    entries = {e.code: e for e in index.entries()}
    frequent = tuple(entries[c] for c in HIGH_FREQUENCY if c in entries)
    return HomeVM(elder_mode=elder, speak="", title="渝快办", can_cancel=True, categories=index.categories(),
                  high_frequency=frequent, services=SERVICES, query="", category=None, results=())


def _attract(index: ItemIndex) -> AttractVM:
    return AttractVM(elder_mode=False, speak="", hall_name="渝北区政务服务中心", high_frequency=index.entries()[:4])


def _show(driver: Any, port: Any, vm: Any) -> None:
    port.publish(vm)
    driver.pump(6)


def test_elder_home_items_are_readable_and_reachable_in_the_small_window(ui, index):
    driver, port = ui
    try:
        _show(driver, port, _home(index, elder=True))
        home = driver.screen("home")
        body, items = home.ids.body, home.ids.item_list.children[::-1]
        assert driver.app.theme.elder and len(items) == 6
        assert body.height > 2 * dp(76) * 1.6  # the scroll area keeps room for at least two elder rows
        first = items[0]
        x0, y0 = first.to_window(first.x, first.y)
        bx, by = body.to_window(body.x, body.y)
        assert first.height >= dp(76) * 1.6 and by <= y0 and y0 + first.height <= by + body.height + 1  # fully in view
        assert first.texture_size[0] <= first.width  # wrapped inside the button, not cut off
        driver.tap(items[-1])  # the last one scrolls into view and takes the touch
        assert port.sent[-1].code == port.current.high_frequency[-1].code
    finally:
        _show(driver, port, _attract(index))


def test_attract_home_switches_keep_the_bar_labels_and_stop_the_pulse(ui, index):
    driver, port = ui
    bar = driver.app.bottom_bar
    _show(driver, port, _attract(index))
    assert bar.hidden and bar.opacity == 0
    assert bar.on_touch_down(SimpleNamespace(pos=bar.center, x=bar.center_x, y=bar.center_y)) is False  # deaf
    _show(driver, port, _home(index, elder=False))
    textures = [b.texture for b in bar.children]
    pulse = driver.screen("attract")._pulse
    assert pulse is None and not _running_pulse(driver)  # stopped when attract was left
    _show(driver, port, _attract(index))
    assert driver.screen("attract")._pulse is not None  # pulsing again on its own screen
    _show(driver, port, _home(index, elder=False))
    assert [b.texture for b in bar.children] == textures  # same textures: no label re-rendered
    _show(driver, port, _attract(index))


def _running_pulse(driver: Any) -> bool:
    prompt = driver.screen("attract").ids.prompt
    return any(prompt.uid in getattr(a, "_widgets", {}) for a in Animation._instances)
