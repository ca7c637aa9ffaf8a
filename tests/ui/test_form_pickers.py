"""Form pickers tapped through the real widgets on the REAL flow engine (FlowRuntime: Controller, sim
devices, embedded platform): a select option, a 是/否 toggle, a multiselect, dates on the steppers;
the values on the confirm screen and in the platform's application; a future date is refused in
plain Chinese beside the field and nothing already entered is lost."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from sim.ui.citizen import Citizen, keystrokes, pick, reach, run_item
from tests.ui.test_journeys import real  # noqa: F401  (this module's own FlowRuntime, started as there)


@pytest.fixture()
def journey(real, tmp_path):  # noqa: F811
    from sim.ui.journeys import Journey

    driver, port = real
    j = Journey(driver, port, None, receipts_dir=tmp_path)
    j.emulator("idcard").remove()  # no card left on the reader: the identify step sees the citizen place theirs
    settle = time.monotonic() + 1.5
    while time.monotonic() < settle:
        driver.pump(1)
        time.sleep(0.02)
    port.sent.clear()
    return j


def _start(j, letters: str, name: str, answers: tuple[str, ...]):
    j.home()
    j.search(letters)
    j.press("home", name)
    return reach(j, Citizen("zhangsan"), "form", answers)


def _field(j, suffix: str):
    return next(f for f in j.vm.fields if f.id.split(".")[-1] == suffix)


def _confirm_lines(j) -> list[str]:
    return [w.text for w in j.driver.screen("confirm").ids.rows.children]


def _application(j, field_id: str, value: str, timeout: float = 20.0) -> dict:
    """The application the embedded platform received whose form has ``field_id`` = ``value``."""
    db = j.port.controller.services.link.endpoint.state.db
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for (body,) in db.conn.execute("SELECT body FROM applications").fetchall():
            form = json.loads(body).get("form", {})
            if form.get(field_id) == value:
                return form
        j.driver.pump(1)
        time.sleep(0.05)
    raise AssertionError(f"no application with {field_id} = {value}")


def test_a_select_and_a_date_are_tapped_and_reach_the_platform(journey):
    j = journey
    form = _start(j, "ydjy", "基本医疗保险参保人员跨省异地就医备案", ("长期在外地居住或工作", "退休后异地安置"))
    city = _field(j, "dest_city")
    j.type_into(form.inputs[city.id], keystrokes("成都"))  # typed, but 完成 not pressed …
    proof = _field(j, "proof_type")
    option = proof.options[1]
    j.driver.tap(form.pickers[proof.id].buttons[option.id])  # … the tap on a choice commits it first
    j.until(lambda: _field(j, "proof_type").value == option.id and _field(j, "dest_city").value == "成都", "choice", 10)
    assert form.pickers[proof.id].buttons[option.id].text.startswith("●")
    start = _field(j, "start_date")
    pick(j, form.pickers[start.id], start, "2023-02-28")
    j.until(lambda: _field(j, "start_date").value == "2023-02-28", "date", 10)
    assert "2023年2月28日" in form.pickers[start.id].opener.text and not _field(j, "start_date").error

    run_item(j, Citizen("zhangsan"), stop_at="confirm")
    lines = _confirm_lines(j)
    assert f"{proof.label}：{option.label}" in lines and f"{start.label}：2023-02-28" in lines and f"{city.label}：成都" in lines
    run_item(j, Citizen("zhangsan"))
    sent = _application(j, "start_date", "2023-02-28")
    assert sent["proof_type"] == option.id and sent["dest_city"] == "成都"
    assert j.screens[-1] == "attract:after"


def test_the_yes_no_toggle_switches_and_the_confirm_screen_says_so(journey):
    j = journey
    form = _start(j, "sydj", "失业登记", ("一般失业人员",))
    want = _field(j, "want_card")
    toggle = form.pickers[want.id]
    assert not any(b.text.startswith("●") for b in toggle.buttons.values())  # nothing chosen for the citizen
    j.driver.tap(toggle.buttons["true"])
    j.until(lambda: _field(j, "want_card").value == "true", "是", 10)
    j.driver.tap(form.pickers[want.id].buttons["false"])
    j.until(lambda: _field(j, "want_card").value == "false", "否", 10)
    assert form.pickers[want.id].buttons["false"].text == "● 否"
    run_item(j, Citizen("zhangsan"), stop_at="confirm")
    assert f"{want.label}：否" in _confirm_lines(j)
    j.bar("home")
    j.driver.tap(j.driver.app.exit_confirm.ids.exit)  # 确定退出: what was entered is discarded
    j.driver.wait_for("attract")


def test_a_future_date_is_refused_beside_the_field_and_nothing_is_lost(journey):
    j = journey
    form = _start(j, "cbzm", "社会保险个人权益记录（参保证明）查询打印", ("缴费明细（逐月缴费记录）", "指定起止年月"))
    kinds = _field(j, "insurance_types")
    chosen = [kinds.options[0].id, kinds.options[2].id]
    pick(j, form.pickers[kinds.id], kinds, ",".join(chosen))
    start, end = _field(j, "start_month"), _field(j, "end_month")
    pick(j, form.pickers[start.id], start, "2024-01-31")
    j.until(lambda: _field(j, "start_month").value == "2024-01-31", "start", 10)
    name = _field(j, "name").value
    future = f"{dt.date.today().year + 1}-01-15"
    pick(j, form.pickers[end.id], end, future)  # a wrong tap: a year too far
    j.until(lambda: bool(_field(j, "end_month").error), "the refusal", 10)
    error = form.rows[end.id].error
    assert error.parent is form.rows[end.id] and error.text == f"{end.label}不能晚于今天"  # plain Chinese, beside the field
    assert _field(j, "insurance_types").value == ",".join(chosen) and _field(j, "start_month").value == "2024-01-31"
    assert _field(j, "name").value == name and not _field(j, "start_month").error
    assert [b.text[0] for b in form.pickers[kinds.id].buttons.values()] == ["●", "○", "●"] + ["○"] * (len(kinds.options) - 3)

    picker = form.pickers[end.id]
    j.driver.tap(picker.opener)
    assert (int(picker.year), int(picker.month), int(picker.day)) == (dt.date.today().year + 1, 1, 15)
    ids = picker.panel.ids
    j.driver.tap(ids.year_down)
    while int(picker.year) > 2024:
        j.driver.tap(ids.year_down, frames=0)
    while int(picker.day) < 31:
        j.driver.tap(ids.day_up, frames=0)
    j.driver.tap(ids.month_up)  # January 31st → February: the day follows (no 2月31日 can be made)
    assert (int(picker.month), int(picker.day)) == (2, 29) and ids.day.text == "29日"
    j.driver.tap(ids.ok)
    j.until(lambda: _field(j, "end_month").value == "2024-02-29" and not _field(j, "end_month").error, "corrected", 10)
    assert form.rows[end.id].error.parent is None

    run_item(j, Citizen("zhangsan"), stop_at="confirm")
    lines = _confirm_lines(j)
    assert f"{kinds.label}：{kinds.options[0].label}、{kinds.options[2].label}" in lines
    assert f"{end.label}：2024-02-29" in lines
    j.bar("home")
    j.driver.tap(j.driver.app.exit_confirm.ids.exit)  # 确定退出: what was entered is discarded
    j.driver.wait_for("attract")
