"""Maintenance through real touches on the real flow engine: TerminalApp (FlowRuntime + Controller + fleet,
sim devices) under the screens; hidden corner → code pad → dashboard buttons → back to attract; the technician
card (on the sim 社保卡 reader, real PC/SC driver) + PIN pad, a wrong PIN, and the lockout after 5 failures."""

from __future__ import annotations

import time

import pytest

from kiosk.assembly import assemble
from kiosk.flows import intents as I
from kiosk.flows.maint_views import MaintenanceVM
from kiosk.maint import totp
from sim.config import demo_config
from sim.platform.terminals import queue_command


def run_terminal(ui, config):
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
def fleet_terminal(ui, tmp_path):
    """The same terminal with a heartbeat every 0.3 s, so a command queued on the embedded platform arrives at once."""
    config = demo_config(data_dir=tmp_path)
    yield from run_terminal(ui, config.model_copy(update={"platform": config.platform.model_copy(update={"heartbeat_s": 0.3})}))


def wait_until(driver, predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out; current: {driver.app.current_vm}"
        driver.pump(1)
        time.sleep(0.01)


def test_technician_taps_through_maintenance(terminal):
    driver, app = terminal
    kiosk = driver.app
    driver.wait_for("attract")
    kiosk.open_maintenance()  # the hidden corner's long press (its timing is tested in test_chrome)
    driver.pump(2)
    screen = kiosk.screen_for("maintenance")
    assert screen.mode == "login" and kiosk.keyboard is not None and kiosk.keyboard.mode == "digits"
    for digit in "111111":  # a wrong code first: the refusal is shown on the pad
        driver.tap(kiosk.keyboard.key(digit), frames=0)
    driver.tap(screen.ids.next)
    wait_until(driver, lambda: "动态码错误" in screen.message)
    assert screen.mode == "login" and "4" in screen.message
    for digit in totp.totp(app.config.maintenance.totp_secret):
        driver.tap(kiosk.keyboard.key(digit), frames=0)
    driver.tap(screen.ids.next)
    wait_until(driver, lambda: isinstance(kiosk.current_vm, MaintenanceVM))
    assert screen.mode == "dashboard" and kiosk.current_vm.technician == "totp"
    assert {w.text.split("：")[0] for w in screen.ids.rows.children} >= {"printer", "idcard", "scanner"}  # device statuses

    driver.tap(driver.button("maintenance", "设备计数"))
    wait_until(driver, lambda: kiosk.current_vm.section == "counters")
    driver.tap(driver.button("maintenance", "配置版本"))
    wait_until(driver, lambda: kiosk.current_vm.section == "config")
    assert any("配置版本" in w.text for w in screen.ids.rows.children)
    driver.tap(driver.button("maintenance", "自检"))
    wait_until(driver, lambda: kiosk.current_vm.section == "selftest" and not kiosk.current_vm.busy
               and any("test_print" in w.text for w in screen.ids.rows.children), timeout=120)
    lines = [w.text for w in screen.ids.rows.children]
    assert any(line.startswith("[通过] test_print") for line in lines)  # results shown, one line per step
    assert len(lines) == len(kiosk.current_vm.selftest)
    driver.tap(driver.button("maintenance", "退出维护"))
    driver.wait_for("attract", timeout=20)
    assert app.fleet is not None and app.fleet.mode.snapshot.mode == "in_service"


def type_and_submit(driver, screen, digits: str) -> None:
    kiosk = driver.app
    for digit in digits:
        driver.tap(kiosk.keyboard.key(digit), frames=0)
    driver.tap(screen.ids.next)


def shown_message(screen) -> str:
    """The refusal as the technician sees it: the pad's message label, visible."""
    labels = [w for w in screen.walk() if getattr(w, "text", None) == screen.message and w is not screen]
    assert labels and labels[0].opacity == 1 and labels[0].width > 0, "message not on screen"
    return labels[0].text


def card_on_reader() -> bool:
    """What PC/SC itself says about the first reader's slot (the same pcscd the terminal's driver talks to)."""
    from smartcard.Exceptions import CardConnectionException, NoCardException
    from smartcard.System import readers

    connection = readers()[0].createConnection()
    try:
        connection.connect()
    except (NoCardException, CardConnectionException):
        return False
    connection.disconnect()
    return True


def swap_card(driver, app, **card) -> None:
    """As a technician does it: lift the citizen's 社保卡, wait until PC/SC reports the slot empty, put the
    maintenance card in and wait until PC/SC reports it. (An instant swap can fall between two of pcscd's presence
    polls: pcscd never sees the slot empty and the next read still answers with the citizen's card.)"""
    emulator = app.runtime.terminal.chipcard.emulator
    emulator.remove()
    wait_until(driver, lambda: not card_on_reader(), timeout=15)
    emulator.insert(**card)
    assert emulator.wait_connected(15)
    wait_until(driver, card_on_reader, timeout=15)


@pytest.mark.xfail(strict=False, reason="known: passes alone and in its file; after tests/chipcard (whose session pcscd "
                   "stays up for the run) the slot-0 card is still seen on the reader after the lift — a card left on slot 0 "
                   "by an earlier terminal on that shared pcscd; open in the issue-13 note")
def test_technician_card_and_pin_by_taps(terminal):
    driver, app = terminal
    kiosk = driver.app
    driver.wait_for("attract")
    swap_card(driver, app, technician="tech01")
    kiosk.open_maintenance()  # the hidden corner's long press
    driver.pump(2)
    screen = kiosk.screen_for("maintenance")
    driver.tap(screen.ids.by_card)
    assert screen.method == "card" and "维护卡" in screen.prompt
    assert kiosk.keyboard is not None and kiosk.keyboard.mode == "digits"

    type_and_submit(driver, screen, "000000")  # a wrong PIN: plain Chinese, attempts left, still the card method
    wait_until(driver, lambda: "密码错误" in screen.message)
    assert shown_message(screen) == "密码错误，还可尝试 4 次" and screen.method == "card" and not screen.ids.next.disabled
    type_and_submit(driver, screen, "123456")  # the demo technician's PIN
    wait_until(driver, lambda: isinstance(kiosk.current_vm, MaintenanceVM))
    assert screen.mode == "dashboard" and kiosk.current_vm.technician == "JX500112001"
    driver.tap(driver.button("maintenance", "退出维护"))
    driver.wait_for("attract", timeout=20)

    # Again, after a dashboard visit (its hidden buttons once swallowed this tap): five wrong PINs lock the entry.
    kiosk.open_maintenance()
    driver.pump(2)
    driver.tap(screen.ids.by_card)
    assert screen.method == "card"
    for left in (4, 3, 2, 1):
        type_and_submit(driver, screen, "999999")
        wait_until(driver, lambda left=left: f"还可尝试 {left} 次" in screen.message)
    type_and_submit(driver, screen, "999999")
    wait_until(driver, lambda: "锁定" in screen.message)
    assert shown_message(screen).startswith("失败次数过多，维护入口已锁定，请稍后再试（") and "后可再试" in screen.message
    assert screen.ids.next.disabled and kiosk.current_vm.locked
    type_and_submit(driver, screen, "123456")  # even the right PIN: the 登录 button does not act while locked
    driver.pump(5)
    assert not isinstance(kiosk.current_vm, MaintenanceVM) and app.fleet.mode.snapshot.mode != "maintenance"
    driver.tap(kiosk.bottom_bar.ids.home)  # 退出: the pad closes, citizens get the terminal back
    driver.wait_for("attract", timeout=20)
    assert not kiosk.current_vm.out_of_service and app.runtime.controller.session is None


def screen_texts(driver, kind: str) -> list[str]:
    return [w.text for w in driver.app.screen_for(kind).walk() if isinstance(getattr(w, "text", None), str) and w.opacity > 0]


def test_fleet_commands_change_the_screen(fleet_terminal):
    """Commands queued on the embedded platform, delivered by the real heartbeat: hall message and out-of-service on
    the attract screen; out-of-service waits for a citizen's session to end; enter_maintenance shows 设备维护中 and a
    technician's visit ends it."""
    driver, app = fleet_terminal
    kiosk = driver.app
    driver.wait_for("attract")
    state, tid = app.runtime.services.link.endpoint.state, app.config.terminal.id
    attract = kiosk.screen_for("attract")

    queue_command(state, tid, "hall_message", {"text": "今晚 22:00 系统升级，自助终端暂停 30 分钟"})
    wait_until(driver, lambda: "今晚 22:00 系统升级，自助终端暂停 30 分钟" in screen_texts(driver, "attract"), timeout=20)
    assert attract.ids.item_list.children  # still serving: the high-frequency items are offered

    driver.tap(attract.ids.item_list.children[-1])  # a citizen starts an item …
    wait_until(driver, lambda: kiosk.current_vm.kind not in ("attract", "home"))
    serving = kiosk.current_vm.kind
    queue_command(state, tid, "out_of_service", {"reason": "网络割接"})  # … and the platform closes the terminal
    wait_until(driver, lambda: app.fleet.mode.snapshot.mode == "out_of_service", timeout=20)
    driver.pump(5)
    assert kiosk.current_vm.kind == serving and app.runtime.controller.session is not None  # not cut off mid-item
    driver.tap(kiosk.bottom_bar.ids.home)  # 退出: the session boundary
    driver.wait_for("attract", timeout=20)
    texts = screen_texts(driver, "attract")
    assert any(t.startswith("暂停服务") and "本终端暂停服务" in t for t in texts), texts
    assert kiosk.current_vm.out_of_service and not attract.ids.item_list.children
    driver.tap(attract.ids.prompt)  # a tap on the closed terminal starts nothing
    driver.pump(5)
    assert kiosk.current_vm.kind == "attract" and app.runtime.controller.session is None

    queue_command(state, tid, "in_service", {})  # at idle: the screen changes at once
    wait_until(driver, lambda: not kiosk.current_vm.out_of_service and attract.ids.item_list.children, timeout=20)

    queue_command(state, tid, "enter_maintenance", {"reason": "更换打印机"})  # a technician is asked for
    wait_until(driver, lambda: kiosk.current_vm.out_of_service, timeout=20)
    assert any("设备维护中" in t for t in screen_texts(driver, "attract"))
    kiosk.open_maintenance()  # the technician arrives: corner, code, dashboard
    driver.pump(2)
    screen = kiosk.screen_for("maintenance")
    for digit in totp.totp(app.config.maintenance.totp_secret):
        driver.tap(kiosk.keyboard.key(digit), frames=0)
    driver.tap(screen.ids.next)
    wait_until(driver, lambda: isinstance(kiosk.current_vm, MaintenanceVM))
    driver.tap(driver.button("maintenance", "退出维护"))  # the visit done: back in service
    driver.wait_for("attract", timeout=20)
    assert app.fleet.mode.snapshot.mode == "in_service" and not kiosk.current_vm.out_of_service
    assert "今晚 22:00 系统升级，自助终端暂停 30 分钟" in screen_texts(driver, "attract")


def test_a_hidden_pane_takes_no_touch(ui):
    """Why the tap on 维护卡 + 密码 once did nothing: Kivy's disabled widgets swallow touches that hit them, and the
    hidden dashboard's (disabled, invisible) buttons lay over the pad. A hidden MaintenancePane passes them on."""
    from kivy.tests.common import UnitTestTouch
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button

    from screens.maintenance import MaintenancePane

    def swallowed(box) -> bool:
        box.add_widget(Button(text="设备计数", size_hint=(None, None), size=(100, 100), pos=(0, 0)))
        box.disabled = True
        return bool(box.dispatch("on_touch_down", UnitTestTouch(50, 50)))

    assert swallowed(BoxLayout(size=(0, 0)))  # plain Kivy: the hidden box's disabled button eats the tap
    assert not swallowed(MaintenancePane(shown=False, size=(0, 0)))
    shown = MaintenancePane(shown=True)
    shown.add_widget(Button(size_hint=(None, None), size=(100, 100), pos=(0, 0)))
    assert shown.dispatch("on_touch_down", UnitTestTouch(50, 50))  # a shown pane works as before


def test_only_one_pane_is_shown(terminal):
    """The pad and the dashboard take turns: the hidden one is invisible, 0 high and disabled (its kv rule applies)."""
    driver, app = terminal
    kiosk = driver.app
    driver.wait_for("attract")
    kiosk.open_maintenance()
    driver.pump(2)
    screen = kiosk.screen_for("maintenance")
    login, dashboard = screen.ids.login, screen.ids.dashboard
    assert login.orientation == "vertical" and (login.opacity, login.disabled) == (1, False)
    assert (dashboard.opacity, dashboard.disabled, dashboard.size_hint_y, dashboard.height) == (0, True, None, 0)
    screen.message = "密码错误，还可尝试 4 次"  # the tallest pad: a refusal shown, the keypad docked below
    assert kiosk.keyboard is not None and kiosk.keyboard.parent is not None
    driver.pump(5)
    column = login.parent.children[::-1]  # title, message, pad, dashboard: top to bottom
    rows = [w for w in column[:2]] + [w for w in login.children[::-1] if w.height > 0]
    spans = [(w.to_window(w.x, w.y)[1], w.to_window(w.x, w.top)[1]) for w in rows]
    for (_, bottom), (_, top) in zip(spans, spans[1:]):
        assert top <= bottom + 0.5, f"the pad's rows overlap: {spans}"  # (the keypad once pushed the buttons over the title)
    assert spans[-1][0] >= kiosk.keyboard.to_window(0, kiosk.keyboard.top)[1] - 0.5  # nothing behind the keypad
