"""Maintenance mode on the flow layer: technician intents in, maintenance view-models out.

Why here and not in the screens: the maintenance screen, like every screen, only sends intents and
renders view-models; ``kiosk.maint.MaintenanceSession`` (audited, kivy-free) does the work. The
session comes from the provider the composition root sets as ``FlowServices.maintenance`` (the fleet's
``maintenance()``), so the flow layer never builds fleet objects. A citizen session is ended and
wiped before a technician gets in; leaving maintenance shows the attract screen again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.flows import intents as I
from kiosk.flows.availability import NO_METHOD_REASON, of_terminal
from kiosk.flows.maint_views import CounterRow, DeviceRow, ErrorRow, MaintenanceLoginVM, MaintenanceVM, SelfTestRow
from kiosk.flows.session_host import SessionHost
from kiosk.flows.wiring import FlowServices
from kiosk.maint.auth import UNCOUNTED
from kiosk.terminal.outbox.notice import maintenance_notice

log = logging.getLogger(__name__)
FAULTS = ("offline", "no_device", "hardware_error", "user_error")
IDLE_S = 600.0  # a technician who walks away: the terminal goes back to service by itself
PAD_IDLE_S = 60.0  # the login pad left open (a citizen's stray long press, a technician who gave up): back to attract


#: What the attract screen says while the fleet's terminal mode keeps citizens out (kiosk.fleet.mode).
CLOSED_REASONS = {"out_of_service": "本终端暂停服务，请到其他终端或窗口办理", "maintenance": "设备维护中，请到其他终端或窗口办理"}
DEVICE_DOWN_REASON = NO_METHOD_REASON  # no identification method works (kiosk.flows.availability)


def terminal_closed(services: FlowServices) -> str:
    """The reason citizens may not start a session now ("" = open): a remote out-of-service or
    enter-maintenance command, a technician inside, or no identification method working (one broken
    reader closes nothing while another method works). The fleet's TerminalMode is set by the
    composition root as ``FlowServices.mode`` (None: always open)."""
    mode = services.mode
    closed = CLOSED_REASONS.get(mode.snapshot.mode, "") if mode is not None else ""
    return closed or of_terminal(services.terminal).out_of_service_reason


def attract_notice(services: FlowServices) -> tuple[str, str]:
    """(out-of-service reason or "", hall message) for the attract screen, read at each session boundary:
    so a remote command that arrives while a citizen is being served changes the screen only afterwards."""
    mode = services.mode
    return terminal_closed(services), mode.snapshot.hall_message if mode is not None else ""


def _hhmm(at: float, seconds: bool = False) -> str:
    return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.localtime(at))


class Maintenance:
    """The technician's visit: login attempts, dashboard actions, leaving. Owned by the Controller."""

    def __init__(self, controller: SessionHost) -> None:
        self.controller = controller
        self.session: Any = None  # MaintenanceSession while logging in or inside
        self.view: MaintenanceVM | None = None
        self.idle_s = IDLE_S
        self.pad_idle_s = PAD_IDLE_S
        self._idle: asyncio.TimerHandle | None = None

    @property
    def active(self) -> bool:
        return self.session is not None and self.session.active

    @property
    def pad_open(self) -> bool:
        return not self.active and isinstance(self.controller.view, MaintenanceLoginVM)

    def claims(self, intent: I.Intent) -> bool:
        """Intents this visit handles: its own, everything while inside, taps and 退出 on the login pad (no citizen session)."""
        if isinstance(intent, (I.MaintenanceLogin, I.MaintenanceAction)) or self.active:
            return True
        return isinstance(intent, (I.Touch, I.Cancel)) and self.pad_open

    # ----- intents ------------------------------------------------------------------------------
    async def handle(self, intent: I.Intent) -> None:
        await self._handle(intent)
        self._arm()

    def _arm(self) -> None:
        """(Re)start the inactivity timer while inside or while the pad is open; every intent counts as activity."""
        if self._idle is not None:
            self._idle.cancel()
        wait = self.idle_s if self.active else self.pad_idle_s if self.pad_open else None
        self._idle = asyncio.get_running_loop().call_later(wait, self._expired) if wait is not None else None

    def _expired(self) -> None:
        self._idle = None
        if self.active or self.pad_open:
            self.controller.tasks.spawn(self.leave("idle"), "maintenance-idle")

    async def _handle(self, intent: I.Intent) -> None:
        if isinstance(intent, I.MaintenanceLogin):
            await self._login(intent)
        elif isinstance(intent, I.MaintenanceAction):
            await self._action(intent.action)
        elif isinstance(intent, I.Cancel) and self.active:
            await self._action("leave")
        elif isinstance(intent, I.Cancel) and self.pad_open:  # 退出 on the pad: back to the attract screen
            await self.leave("pad closed")

    async def _login(self, intent: I.MaintenanceLogin) -> None:
        c = self.controller
        if self.active:
            self._publish(self.view or self._dashboard())
            return
        if c.session is not None:  # never alongside a citizen: end (and wipe) the session first
            await c.end("maintenance")
        provider = self.controller.services.maintenance
        if provider is None:
            c.publish(MaintenanceLoginVM(title="维护登录", method="card" if intent.method == "card" else "totp",
                                         message="本终端未启用维护模式"))
            return
        self.session = self.session or provider()
        if intent.method == "card":
            result = await self.session.enter_with_card(intent.code)
        else:
            result = self.session.enter_with_totp(intent.code)
        if not result.ok:
            locked = result.reason == "locked"
            message = result.message + (f"（{_hhmm(result.locked_until)} 后可再试）" if locked and result.locked_until else "")
            c.publish(MaintenanceLoginVM(title="维护登录", method="card" if intent.method == "card" else "totp", message=message,
                                         failures_left=None if locked or result.reason in UNCOUNTED else result.failures_left,
                                         locked=locked, locked_until=_hhmm(result.locked_until) if locked and result.locked_until else ""))
            return
        log.info("maintenance entered by %s", result.technician)
        self._publish(self._dashboard(message=result.message))
        notice = maintenance_notice(getattr(c.services.link, "outbox", None))  # dead letters, a lost key: kiosk outbox …
        if notice:
            self._publish(self._dashboard(message=f"{result.message}；{notice}" if result.message else notice))

    async def _action(self, action: str) -> None:
        if not self.active:
            if action == "login":  # the hidden gesture: the pad, and no citizen session beside it
                if self.controller.session is not None:
                    await self.controller.end("maintenance")
                self.controller.publish(MaintenanceLoginVM(title="维护登录", method="totp"))
            else:
                self.controller.publish(MaintenanceLoginVM(title="维护登录", message="请先登录维护模式"))
            return
        s = self.session
        try:
            if action == "leave":
                await self.leave()
                return
            if action == "selftest":
                self._publish(self._dashboard(section="selftest", message="正在自检，请稍候…", busy=True))
                report = await s.selftest()
                if not self.active:  # left (退出) while the suite ran
                    return
                failed = [r["name"] for r in report["results"] if not r["ok"]]
                verdict = "自检通过" if report["passed"] else f"自检未通过：{'、'.join(failed)}"
                self._publish(self._dashboard(section="selftest", message=verdict))
            elif action == "counters":
                self._publish(self._dashboard(section="counters", counters=s.counters()))
            elif action == "errors":
                self._publish(self._dashboard(section="errors", errors=s.recent_errors()))
            elif action == "config":
                self._publish(self._dashboard(section="config", config=s.config_status()))
            elif action == "rollback":
                active = s.rollback_config()
                self._publish(self._dashboard(section="config", config=s.config_status(), message=f"已回滚到配置版本 {active}"))
            elif action == "export_logs":
                path = s.export_logs(self._export_dir())
                self._publish(self._dashboard(message=f"日志已导出：{path}"))
            elif action == "status":
                self._publish(self._dashboard())
            elif action == "outbox":
                notice = maintenance_notice(getattr(self.controller.services.link, "outbox", None))
                self._publish(self._dashboard(message=notice or "没有待送达的申请"))
            else:
                self._publish(self._dashboard(message=f"未知操作：{action}"))
        except (KioskError, OSError) as exc:  # nothing to roll back to, export not writable: shown and audited
            if s.audit is not None:
                s.audit.append(s.technician, "maint.action_failed", requested=action, error=str(exc)[:200])
            self._publish(self._dashboard(section=self.view.section if self.view else "status", message=f"操作失败：{exc}"))

    async def leave(self, reason: str = "technician") -> None:
        """Back to service (or just the pad closed): audited by the session when inside, then the attract screen."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self.active:
            self.session.leave()
            log.info("maintenance left (%s)", reason)
        self.session, self.view = None, None
        self.controller.attract()

    # ----- view-models --------------------------------------------------------------------------
    def _publish(self, vm: MaintenanceVM) -> None:
        self.view = vm
        self.controller.publish(vm)

    def _export_dir(self) -> Path:
        return Path(self.controller.services.config.terminal.data_path()) / "log-exports"

    def _dashboard(self, *, section: str = "status", message: str = "", busy: bool = False, counters: dict | None = None,
                   errors: list | None = None, config: dict | None = None) -> MaintenanceVM:
        s, before = self.session, self.view
        statuses = s.device_status() if section == "status" else [d.to_dict() for d in s.terminal.statuses().values()]  # audited once
        devices = tuple(DeviceRow(d["device"], d["state"], d["description"], d["state"] not in FAULTS) for d in statuses)
        report = s.last_selftest
        results = report["results"] if report else []
        rows = tuple(SelfTestRow(r["name"], r["device"], r["ok"], r["detail"], r["skipped"], r["prompt"]) for r in results)
        counts = counters if counters is not None else s.counters_snapshot()
        config = config or {}
        return MaintenanceVM(
            title="维护模式", can_cancel=True, technician=s.technician, devices=devices, section=section, message=message, busy=busy,
            counters=tuple(CounterRow(dev, " · ".join(f"{k} {v}" for k, v in sorted(c.items()))) for dev, c in sorted(counts.items())),
            errors=tuple(ErrorRow(_hhmm(e["at"], True), e["device"], e["error"], e["action"] or "") for e in errors)
            if errors is not None else (before.errors if before else ()),
            config_version=config.get("active", before.config_version if before else 0),
            config_state=config.get("state", before.config_state if before else ""),
            config_previous=config.get("previous", before.config_previous if before else None),
            selftest=rows, selftest_passed=report["passed"] if report else None)
