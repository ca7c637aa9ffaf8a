"""In service whenever a citizen can be served, through real taps on the real terminal (TerminalApp with sim
devices and the embedded platform under the screens). The 二代证 reader is really unplugged (its emulator's
pty goes away) and its driver reports no_device: with 社保卡 and 渝快码 left, the identify screen offers those
with one plain line; on a terminal with no other method the attract screen closes but offers 帮办 and the
nearest working terminals; the reader plugged back in brings the terminal back into service, no restart."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from kiosk.assembly import assemble
from kiosk.flows import intents as I
from kiosk.terminal.status import DeviceClass, DeviceState
from sim.config import demo_config

HOUSEHOLD = "00010900200001"  # 户籍证明出具, a high-frequency item: 二代证 + face, 渝快码, 社保卡, 代办


def run_terminal(ui: Any, config: Any) -> Any:
    driver, story = ui
    app = assemble(config).app.start(headless=True)
    driver.app.attach(app.runtime)
    yield driver, app
    driver.app.attach(story)
    app.stop()
    story.send(I.Cancel())
    driver.pump(2)


@pytest.fixture()
def terminal(ui, tmp_path):
    yield from run_terminal(ui, demo_config(data_dir=tmp_path))


@pytest.fixture()
def idcard_only_terminal(ui, tmp_path):
    """No 社保卡 reader and no scanner configured: the 二代证 reader is the only way to identify anyone."""
    config = demo_config(data_dir=tmp_path)
    devices = {k: v for k, v in config.devices.items() if k not in (DeviceClass.CHIP_CARD_READER, DeviceClass.BARCODE_READER)}
    yield from run_terminal(ui, config.model_copy(update={"devices": devices}))


def wait_until(driver: Any, predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out; current: {driver.app.current_vm}"
        driver.pump(1)
        time.sleep(0.01)


def texts(driver: Any, kind: str) -> list[str]:
    return [w.text for w in driver.app.screen_for(kind).walk() if isinstance(getattr(w, "text", None), str) and w.text and w.opacity > 0]


def unplug_idcard(app: Any) -> Any:
    reader = app.runtime.services.terminal.devices[DeviceClass.ID_CARD_READER]
    reader.emulator.unplug()
    reader.runner.report(DeviceState.NO_DEVICE, "test: reader unplugged")  # what its poller reports within a poll
    return reader


def replug_idcard(app: Any, reader: Any) -> None:
    reader.emulator.replug()
    asyncio.run_coroutine_threadsafe(reader.reopen(5.0), app.runtime.loop).result(10)  # the supervisor's re-open


def test_a_broken_idcard_reader_leaves_the_other_methods(terminal):
    driver, app = terminal
    kiosk = driver.app
    driver.wait_for("attract")
    unplug_idcard(app)
    driver.pump(5)
    assert not kiosk.current_vm.out_of_service  # 社保卡 and 渝快码 still work: the terminal serves
    name = app.runtime.services.catalog.item(HOUSEHOLD).name
    driver.tap(driver.button("attract", name))
    driver.wait_for("identify", timeout=20)
    wait_until(driver, lambda: kiosk.current_vm.phase == "choose")
    buttons = [w.text for w in kiosk.screen_for("identify").ids.methods.children]
    assert buttons and not any("身份证" in b for b in buttons) and any("社会保障卡" in b for b in buttons) and any("渝快码" in b for b in buttons)
    assert "身份证读卡器暂不可用，请使用渝快码或社保卡" in texts(driver, "identify")
    driver.tap(kiosk.bottom_bar.ids.home)  # 退出
    driver.wait_for("attract", timeout=20)


def test_no_method_left_closes_with_help_and_nearby_then_recovers_without_restart(idcard_only_terminal):
    driver, app = idcard_only_terminal
    kiosk = driver.app
    driver.wait_for("attract")
    attract = kiosk.screen_for("attract")
    assert not kiosk.current_vm.out_of_service and attract.ids.item_list.children
    reader = unplug_idcard(app)
    wait_until(driver, lambda: kiosk.current_vm.kind == "attract" and kiosk.current_vm.out_of_service)  # redrawn at once, at idle
    wait_until(driver, lambda: attract.ids.nearby.text)  # the nearest terminals, from the platform
    shown = texts(driver, "attract")
    assert any("本终端暂时无法核验身份" in t for t in shown), shown
    assert attract.ids.nearby.text.startswith("附近可以办理的自助终端") and "渝北区政务服务中心" in attract.ids.nearby.text
    assert not attract.ids.item_list.children and attract.ids.help.parent is not None
    driver.tap(attract.ids.prompt)  # a tap elsewhere starts nothing
    driver.pump(5)
    assert kiosk.current_vm.kind == "attract" and app.runtime.controller.session is None
    driver.tap(attract.ids.help)  # 帮办 still calls staff
    driver.wait_for("help", timeout=20)
    wait_until(driver, lambda: kiosk.current_vm.requested)
    driver.tap(kiosk.bottom_bar.ids.home)
    driver.wait_for("attract", timeout=20)
    assert kiosk.current_vm.out_of_service

    replug_idcard(app, reader)  # the reader is back: in service again, without a restart
    wait_until(driver, lambda: not kiosk.current_vm.out_of_service and attract.ids.item_list.children)
    assert attract.ids.help.parent is None and not attract.ids.nearby.text
