"""Maintenance mode through the real flow engine: TerminalApp (FlowRuntime + Controller + fleet) with the sim
devices; the technician card is the chip-card emulator's, read by the real PC/SC driver."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import pytest

from kiosk.app import TerminalApp
from kiosk.assembly import assemble
from kiosk.flows import intents as I
from kiosk.flows.maint_views import MaintenanceLoginVM, MaintenanceVM
from kiosk.flows.viewmodels import AttractVM, HomeVM, ViewModel
from kiosk.maint import totp
from kiosk.maint.selftest import STEPS
from kiosk.receipts.testpage import build_test_page
from sim.config import demo_config
from kiosk.store import AuditTrail

PIN = "123456"  # the demo technician's PIN (sim/sim/default.toml [maintenance])


class Screen:
    """What the UI would see: every view-model the runtime publishes, in order."""

    def __init__(self, app: TerminalApp) -> None:
        self.app = app
        self.views: list[ViewModel] = []
        self._changed = threading.Condition()
        app.runtime.subscribe(self._on_view)

    def _on_view(self, vm: ViewModel) -> None:
        with self._changed:
            self.views.append(vm)
            self._changed.notify_all()

    def send(self, intent: I.Intent, until: Callable[[ViewModel], bool], timeout: float = 60.0) -> ViewModel:
        start = len(self.views)
        self.app.runtime.send(intent)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for vm in self.views[start:]:
                    if until(vm):
                        return vm
                left = deadline - time.monotonic()
                assert left > 0, f"no matching view-model after {type(intent).__name__}: {[v.kind for v in self.views[start:]]}"
                self._changed.wait(left)


@pytest.fixture
def terminal_app(tmp_path: Path) -> Iterator[TerminalApp]:
    app = assemble(demo_config(data_dir=tmp_path)).app.start(headless=True)
    yield app
    app.stop()


def audit_actions(app: TerminalApp) -> list[str]:
    services = app.runtime.services
    assert services is not None
    return [r.action for r in AuditTrail(services.store).records()]


def insert_technician_card(app: TerminalApp) -> None:
    assert app.runtime.terminal is not None
    app.runtime.terminal.chipcard.emulator.insert(technician="tech01")  # type: ignore[union-attr]
    # no pause: the login's card read waits for the swapped card to settle (kiosk/maint/cardread.py)


def test_five_wrong_pins_lock_the_pad(terminal_app: TerminalApp) -> None:
    screen = Screen(terminal_app)
    controller = terminal_app.runtime.controller
    assert controller is not None
    screen.send(I.Touch(), lambda vm: isinstance(vm, HomeVM))  # a citizen is at the terminal
    login = lambda vm: isinstance(vm, MaintenanceLoginVM)  # noqa: E731
    vm = screen.send(I.MaintenanceAction("login"), login)  # the hidden gesture
    assert isinstance(vm, MaintenanceLoginVM) and vm.method == "totp" and not vm.message and controller.session is None
    terminal_app.runtime.send(I.Touch())  # taps on the pad start no citizen session
    insert_technician_card(terminal_app)
    for left in (4, 3, 2, 1):
        vm = screen.send(I.MaintenanceLogin("card", "000000"), login)
        assert isinstance(vm, MaintenanceLoginVM) and not vm.locked and vm.failures_left == left and str(left) in vm.message
    vm = screen.send(I.MaintenanceLogin("card", "000000"), login)
    assert isinstance(vm, MaintenanceLoginVM) and vm.locked and "锁定" in vm.message and vm.locked_until in vm.message
    vm = screen.send(I.MaintenanceLogin("card", PIN), login)  # the right PIN no longer helps
    assert isinstance(vm, MaintenanceLoginVM) and vm.locked
    vm = screen.send(I.MaintenanceLogin("totp", totp.totp(terminal_app.config.maintenance.totp_secret)), login)
    assert isinstance(vm, MaintenanceLoginVM) and vm.locked  # nor the other entry
    assert not any(isinstance(v, MaintenanceVM) for v in screen.views) and controller.session is None
    assert audit_actions(terminal_app).count("maint.enter_refused") == 7


def test_card_and_pin_selftest_and_leave(terminal_app: TerminalApp) -> None:
    screen = Screen(terminal_app)
    screen.send(I.Touch(), lambda vm: isinstance(vm, HomeVM))  # a citizen is at the terminal
    assert terminal_app.runtime.controller is not None and terminal_app.runtime.controller.session is not None
    insert_technician_card(terminal_app)
    vm = screen.send(I.MaintenanceLogin("card", PIN), lambda vm: isinstance(vm, (MaintenanceVM, MaintenanceLoginVM)))
    assert isinstance(vm, MaintenanceVM), vm
    assert vm.technician == "JX500112001" and terminal_app.runtime.controller.session is None  # the citizen session ended first
    assert {d.device for d in vm.devices} == {"printer", "idcard", "chipcard", "barcode", "camera", "speaker", "a4printer", "scanner", "doccam"}
    assert terminal_app.fleet is not None and terminal_app.fleet.mode.snapshot.mode == "maintenance"
    terminal_app.runtime.terminal.chipcard.emulator.insert("zhangsan")  # type: ignore[union-attr]  # the test 社保卡 for its step

    done = lambda vm: isinstance(vm, MaintenanceVM) and vm.section == "selftest" and not vm.busy  # noqa: E731
    vm = screen.send(I.MaintenanceAction("selftest"), done, timeout=180)
    assert isinstance(vm, MaintenanceVM)
    assert [r.name for r in vm.selftest] == [name for name, *_ in STEPS]
    assert all(r.ok and not r.skipped for r in vm.selftest), [r.detail for r in vm.selftest if not r.ok]
    assert vm.selftest_passed and vm.message == "自检通过"
    assert any(isinstance(v, MaintenanceVM) and v.busy for v in screen.views)  # "正在自检" was shown while it ran
    assert terminal_app.fleet.agent is not None and terminal_app.fleet.agent.selftest["passed"]  # uploaded with the next heartbeat

    vm = screen.send(I.MaintenanceAction("counters"), lambda vm: isinstance(vm, MaintenanceVM) and vm.section == "counters")
    assert any(row.device == "printer" and "prints" in row.counts for row in vm.counters)  # type: ignore[union-attr]
    terminal = terminal_app.runtime.terminal
    assert terminal is not None
    terminal.printer.emulator.set_paper("out")  # type: ignore[union-attr]
    page = build_test_page(terminal.config.terminal.id, datetime.now())
    printed = asyncio.run_coroutine_threadsafe(terminal.printer.print_document(page), terminal_app.runtime.loop).result(30)  # type: ignore[union-attr]
    assert not printed.ok
    vm = screen.send(I.MaintenanceAction("errors"), lambda vm: isinstance(vm, MaintenanceVM) and vm.section == "errors")
    assert isinstance(vm, MaintenanceVM) and vm.errors[0].device == "printer" and vm.errors[0].action == "clear"  # with its recovery action
    terminal.printer.emulator.set_paper("ok")  # type: ignore[union-attr]
    vm = screen.send(I.MaintenanceAction("config"), lambda vm: isinstance(vm, MaintenanceVM) and vm.section == "config")
    assert isinstance(vm, MaintenanceVM) and vm.config_state
    vm = screen.send(I.MaintenanceAction("rollback"), lambda vm: isinstance(vm, MaintenanceVM) and vm.message.startswith("操作失败"))
    assert isinstance(vm, MaintenanceVM) and "previous" in vm.message and vm.config_previous is None  # nothing to roll back to: said
    vm = screen.send(I.MaintenanceAction("export_logs"), lambda vm: isinstance(vm, MaintenanceVM) and "日志已导出" in vm.message)
    exported = Path(vm.message.split("：", 1)[1])  # type: ignore[union-attr]
    assert exported.is_file() and exported.stat().st_size > 0

    terminal_app.runtime.send(I.Help())  # citizen buttons do nothing while a technician is inside (intents run in order)
    before = len(screen.views)
    vm = screen.send(I.MaintenanceAction("status"), lambda vm: isinstance(vm, MaintenanceVM) and vm.section == "status")
    assert all(isinstance(v, MaintenanceVM) for v in screen.views[before:]) and terminal_app.runtime.controller.session is None
    vm = screen.send(I.MaintenanceAction("leave"), lambda vm: isinstance(vm, AttractVM))
    assert terminal_app.fleet.mode.snapshot.mode == "in_service"
    actions = audit_actions(terminal_app)
    for action in ("session.ended", "maint.enter", "maint.view_status", "maint.selftest", "maint.view_counters", "maint.view_errors",
                   "maint.view_config", "maint.action_failed", "maint.export_logs", "maint.leave"):
        assert action in actions, (action, actions)
    assert actions.index("session.ended") < actions.index("maint.enter") < actions.index("maint.leave")
    vm = screen.send(I.MaintenanceAction("selftest"), lambda vm: isinstance(vm, MaintenanceLoginVM))  # outside: refused
    assert "登录" in vm.message  # type: ignore[union-attr]


def test_idle_technician_and_cancel_return_to_service(terminal_app: TerminalApp) -> None:
    screen = Screen(terminal_app)
    controller = terminal_app.runtime.controller
    assert controller is not None and terminal_app.fleet is not None
    controller.maintenance.idle_s = 1.0  # the product waits ten minutes
    inside = lambda vm: isinstance(vm, (MaintenanceVM, MaintenanceLoginVM))  # noqa: E731
    vm = screen.send(I.MaintenanceLogin("totp", totp.totp(terminal_app.config.maintenance.totp_secret)), inside)
    assert isinstance(vm, MaintenanceVM) and terminal_app.fleet.mode.snapshot.mode == "maintenance"
    screen.send(I.MaintenanceAction("counters"), lambda vm: isinstance(vm, MaintenanceVM) and vm.section == "counters")
    vm = screen.send(I.Touch(), lambda vm: isinstance(vm, AttractVM), timeout=20)  # nobody touches it any more
    assert terminal_app.fleet.mode.snapshot.mode == "in_service" and not controller.maintenance.active
    insert_technician_card(terminal_app)
    vm = screen.send(I.MaintenanceLogin("card", PIN), inside)
    assert isinstance(vm, MaintenanceVM), vm
    screen.send(I.Cancel(), lambda vm: isinstance(vm, AttractVM))  # the bottom bar's 退出 leaves maintenance
    assert terminal_app.fleet.mode.snapshot.mode == "in_service" and controller.session is None
    assert audit_actions(terminal_app).count("maint.leave") == 2


def test_the_login_pad_closes_by_cancel_or_when_left_alone(terminal_app: TerminalApp) -> None:
    """A stray long press on the corner must not leave citizens in front of a login pad."""
    screen = Screen(terminal_app)
    controller = terminal_app.runtime.controller
    assert controller is not None
    login = lambda vm: isinstance(vm, MaintenanceLoginVM)  # noqa: E731
    screen.send(I.MaintenanceAction("login"), login)
    screen.send(I.Cancel(), lambda vm: isinstance(vm, AttractVM))  # the bottom bar's 退出 on the pad
    assert controller.session is None and not controller.maintenance.active
    controller.maintenance.pad_idle_s = 0.5  # the product waits a minute
    screen.send(I.MaintenanceAction("login"), login)
    screen.send(I.MaintenanceLogin("totp", "000000"), lambda vm: login(vm) and "动态码错误" in vm.message)  # type: ignore[attr-defined]
    screen.send(I.Touch(), lambda vm: isinstance(vm, AttractVM), timeout=20)  # then nobody touches it
    assert controller.session is None and terminal_app.fleet is not None and terminal_app.fleet.mode.snapshot.mode == "in_service"
