"""The maintenance dashboard tells the technician about dead letters (and the way out) at login and on the
``outbox`` action, through the real flow engine (TerminalApp on the demo config with sim devices)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app import TerminalApp
from kiosk.assembly import assemble
from kiosk.flows import intents as I
from kiosk.flows.maint_views import MaintenanceLoginVM, MaintenanceVM
from kiosk.maint import totp
from kiosk.terminal.outbox.notice import maintenance_notice
from sim.config import demo_config
from tests.maint.test_flow_maintenance import Screen


@pytest.fixture
def terminal_app(tmp_path: Path) -> Iterator[TerminalApp]:
    app = assemble(demo_config(data_dir=tmp_path)).app.start(headless=True)
    yield app
    app.stop()


def test_a_dead_letter_is_on_the_dashboard_at_login(terminal_app: TerminalApp) -> None:
    services = terminal_app.runtime.services
    assert services is not None
    outbox = services.link.outbox
    assert maintenance_notice(outbox) == ""
    entry = outbox.enqueue({"item_code": "CQ-RS-0004", "form": {}})
    outbox.mark_rejected(entry.id, "DISTRICT_UNKNOWN", "行政区划代码不属于重庆市区县", "receiving_district")
    screen = Screen(terminal_app)
    inside = lambda vm: isinstance(vm, MaintenanceVM) and "死信" in vm.message  # noqa: E731
    vm = screen.send(I.MaintenanceLogin("totp", totp.totp(terminal_app.config.maintenance.totp_secret)),
                     lambda vm: inside(vm) or isinstance(vm, MaintenanceLoginVM))
    assert isinstance(vm, MaintenanceVM) and "1 件申请被平台退回" in vm.message and "kiosk outbox list" in vm.message
    screen.send(I.MaintenanceAction("counters"), lambda vm: isinstance(vm, MaintenanceVM) and vm.section == "counters")
    vm = screen.send(I.MaintenanceAction("outbox"), lambda vm: isinstance(vm, MaintenanceVM) and vm.section == "status")
    assert "1 件申请被平台退回" in vm.message  # type: ignore[attr-defined]
