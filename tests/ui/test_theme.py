"""The terminal's look, on the real window: the header (mark, hall, China-time clock, terminal number) on every
screen, the step indicator during an application, the category icons, the rotating attract card — and the
attract screen's 长辈模式 / English, tapped for real on the flow engine."""

from __future__ import annotations

import time
from typing import Any

from kiosk.flows.viewmodels import AttractVM, FieldVM, FormVM, ItemEntry
from screens.widgets.header import STEP_OF, STEPS


def _until(driver: Any, ready: Any, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, what
        driver.pump(1)


def test_header_and_steps_follow_the_screen(ui) -> None:
    driver, port = ui
    header = driver.app.header
    port.publish(AttractVM(hall_name="渝北区政务服务中心"))
    driver.pump(4)
    assert header.hall == "渝北区政务服务中心" and header.ids.mark.text == "渝" and header.ids.brand.text == "渝快办"
    assert header.step == 0 and header.ids.steps.height == 0  # no steps on attract
    port.publish(FormVM(title="失业登记 · 填写申请信息", item_name="失业登记", fields=(FieldVM("name", "姓名", "text"),)))
    driver.pump(6)
    assert header.step == STEP_OF["form"] == 2 and header.ids.steps.height > 0
    bar = header.ids.steps
    assert [label.text for label in bar.labels] == [f"{i} {name}" for i, name in enumerate(STEPS, start=1)]
    assert bar.labels[1].bold and not bar.labels[0].bold and len(bar.labels[1].canvas.before.children) > 0
    port.publish(AttractVM(hall_name="渝北区政务服务中心"))
    driver.pump(4)


def test_the_attract_card_turns_through_how_to_hot_items_and_notices(ui) -> None:
    driver, port = ui
    items = (ItemEntry("00011200400001", "社会保障卡申领及补领、换领", "社保卡", "人力社保局"),)
    port.publish(AttractVM(hall_name="渝北区政务服务中心", high_frequency=items))
    driver.pump(4)
    attract = driver.screen("attract")
    titles = []
    for _ in range(len(attract.slides())):
        titles.append(attract.slide_title)
        attract._turn()
        driver.pump(2)
    assert titles == ["操作指引", "热门事项", "温馨提示"]
    assert attract.slide_title == "操作指引" and attract._rotate is not None  # round again, on a timer


def test_attract_elder_and_english_start_the_session_in_them(flow_runtime) -> None:
    driver, _port = flow_runtime
    app = driver.app
    driver.wait_for("attract")
    attract = driver.screen("attract")
    driver.tap(attract.ids.elder)
    driver.wait_for("home")
    _until(driver, lambda: app.theme.elder and app.current_vm.elder_mode, "elder mode from attract")
    driver.tap(app.bottom_bar.ids.home)  # 退出: the next citizen starts in standard mode
    driver.wait_for("attract")
    _until(driver, lambda: not app.theme.elder, "standard again after the session")
    driver.tap(attract.ids.language)
    driver.wait_for("home")
    assert app.language == "en" and app.bottom_bar.ids.language.text == "中文"
    assert driver.screen("home").ids.title.text == app.tr("请选择要办理的事项") != "请选择要办理的事项"
    driver.tap(app.bottom_bar.ids.home)
    driver.wait_for("attract")
    assert app.language == "zh_CN" and attract.ids.language.text == "English"
