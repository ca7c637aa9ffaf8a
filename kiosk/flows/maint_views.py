"""View-models of maintenance mode: the technician's login pad and the maintenance dashboard.

Kept apart from ``viewmodels`` (citizen screens) because they carry terminal data, never personal
data, and change for a different reason; ``viewmodels`` re-exports them. Both render on the
``maintenance`` screen: ``MaintenanceLoginVM`` shows the pad, ``MaintenanceVM`` the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from kiosk.flows.viewmodels import Action, ViewModel

LoginMethod = Literal["card", "totp"]

#: What the dashboard's buttons send (``MaintenanceAction.action``), in screen order.
MAINT_ACTIONS = (Action("selftest", "自检", primary=True), Action("counters", "设备计数"), Action("errors", "最近故障"),
                 Action("config", "配置版本"), Action("rollback", "回滚配置"), Action("export_logs", "导出日志"),
                 Action("leave", "退出维护"))


@dataclass(frozen=True)
class DeviceRow:
    device: str
    state: str  # online | offline | user_error | hardware_error …
    description: str = ""
    ok: bool = True


@dataclass(frozen=True)
class CounterRow:
    device: str
    counts: str  # "prints 3 · cuts 3"


@dataclass(frozen=True)
class ErrorRow:
    at: str  # local HH:MM:SS
    device: str
    error: str
    action: str  # the recovery action: reset | clear | maintenance | suspend | retry


@dataclass(frozen=True)
class SelfTestRow:
    name: str
    device: str
    ok: bool
    detail: str
    skipped: bool = False
    prompt: str = ""


@dataclass(frozen=True, kw_only=True)
class MaintenanceLoginVM(ViewModel):
    kind: ClassVar[str] = "maintenance"
    method: LoginMethod = "card"
    message: str = ""
    failures_left: int | None = None  # None: no failed attempt yet
    locked: bool = False
    locked_until: str = ""  # local HH:MM when the pad opens again
    can_cancel: bool = True


@dataclass(frozen=True, kw_only=True)
class MaintenanceVM(ViewModel):
    kind: ClassVar[str] = "maintenance"
    technician: str
    devices: tuple[DeviceRow, ...] = ()
    counters: tuple[CounterRow, ...] = ()
    errors: tuple[ErrorRow, ...] = ()
    config_version: int = 0
    config_state: str = ""
    config_previous: int | None = None
    selftest: tuple[SelfTestRow, ...] = ()
    selftest_passed: bool | None = None  # None: not run in this visit
    section: str = "status"  # which panel the last action opened: status | selftest | counters | errors | config
    message: str = ""
    busy: bool = False  # a self-test is running: the buttons wait
    actions: tuple[Action, ...] = MAINT_ACTIONS
