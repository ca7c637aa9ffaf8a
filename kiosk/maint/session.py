"""MaintenanceSession: everything a technician does at the terminal, audited, as one small API.

The UI's maintenance screens call these methods (async ones from the asyncio side, results handed to
Kivy by a Clock trigger) and read plain dicts back; nothing here imports kivy. Entering sets the
terminal mode to ``maintenance`` (citizens see 暂停服务); ``leave()`` sets it back to ``in_service`` —
the UI returns to the attract screen on that ``TerminalModeChanged`` event.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.fleet.logs import build_log_bundle, log_files
from kiosk.fleet.mode import TerminalMode
from kiosk.maint.auth import AuthResult, MaintenanceAuth
from kiosk.maint.cardread import read_technician_card
from kiosk.maint.selftest import heartbeat_summary, run_selftest
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.events import Error, StatusChanged
from kiosk.terminal.status import FAULT_STATES


class NotInMaintenance(KioskError):
    """A maintenance action was called without a successful entry."""


class MaintenanceSession:
    def __init__(self, terminal: Any, auth: MaintenanceAuth, *, audit: Any = None, mode: TerminalMode | None = None,
                 counters: Any = None, configs: Any = None, agent: Any = None, log_dir: Path | None = None) -> None:
        self.terminal = terminal
        self.auth = auth
        self.audit = audit
        self.mode = mode or TerminalMode(terminal.bus)
        self.device_counters = counters
        self.configs = configs
        self.agent = agent
        self.log_dir = log_dir
        self.technician = ""
        self._mode_before = "in_service"
        self.last_selftest: dict[str, Any] | None = None

    @property
    def active(self) -> bool:
        return bool(self.technician)

    # ----- entry and exit -----------------------------------------------------------------------
    async def enter_with_card(self, pin: str) -> AuthResult:
        """Read the technician card on the 社保卡 reader, then check the PIN typed on screen.

        A card that could not be read is refused before the PIN is looked at (no failure counted):
        ``no_card`` (nothing on the reader), ``wrong_card`` (a card without our maintenance
        application), ``reader_error`` (the reader kept failing after the card had settled).
        """
        reader = self.terminal.chipcard
        if reader is None or not hasattr(reader, "read_technician_id"):
            return self._entered(self.auth.with_card(None, pin))
        result = await read_technician_card(reader)  # the card may be a moment old: settles first
        if result.ok:  # the PIN hash (PBKDF2, ~0.1 s) off the flow loop: heartbeat and UI intents keep moving
            return self._entered(await asyncio.to_thread(self.auth.with_card, result.data, pin))
        refusal = {CompletionCode.NO_MEDIA: "no_card", CompletionCode.USER_ERROR: "wrong_card"}.get(result.code, "reader_error")
        return self.auth.refused(refusal, "card", detail=result.description)

    def enter_with_totp(self, code: str) -> AuthResult:
        """After the hidden gesture on the attract screen: the authenticator code."""
        return self._entered(self.auth.with_totp(code))

    def _entered(self, result: AuthResult) -> AuthResult:
        if result.ok:
            self.technician = result.technician
            self._mode_before = self.mode.snapshot.mode
            self.mode.set_mode("maintenance", f"technician {self.technician}", remember=False)  # a crash mid-visit: as before it
        return result

    def leave(self) -> None:
        self._require()
        self._audit("maint.leave")
        self.technician = ""
        if self.mode.snapshot.mode != "maintenance":  # a remote command during the visit (out_of_service …) stands
            return
        back = self._mode_before if self._mode_before != "maintenance" else "in_service"
        self.mode.set_mode(back if back != "starting" else "in_service", "maintenance finished")

    # ----- actions ------------------------------------------------------------------------------
    async def selftest(self, only: list[str] | None = None) -> dict[str, Any]:
        self._require()
        report = await run_selftest(self.terminal, only)
        self.last_selftest = report
        if self.agent is not None:
            self.agent.selftest = heartbeat_summary(report)  # uploaded with the next heartbeat
        self._audit("maint.selftest", passed=report["passed"], failed=[r["name"] for r in report["results"] if not r["ok"]])
        return report

    def counters(self) -> dict[str, dict[str, int]]:
        self._require()
        self._audit("maint.view_counters")
        return self.counters_snapshot()

    def counters_snapshot(self) -> dict[str, dict[str, int]]:
        return self.device_counters.snapshot() if self.device_counters is not None else {}

    def device_status(self) -> list[dict[str, Any]]:
        self._require()
        self._audit("maint.view_status")
        return [s.to_dict() for s in self.terminal.statuses().values()]

    def recent_errors(self, limit: int = 30) -> list[dict[str, Any]]:
        """Newest first: hardware errors and fault states, each with its recovery action."""
        self._require()
        self._audit("maint.view_errors")
        rows: list[dict[str, Any]] = []
        for event in self.terminal.bus.recent((Error, StatusChanged)):
            if isinstance(event, Error):
                rows.append({"at": event.at, "device": event.device, "error": event.description,
                             "action": event.action.value if event.action else None})
            elif event.new.state in FAULT_STATES:
                action = event.new.last_action.value if event.new.last_action else ("clear" if event.new.state.value == "user_error" else "reset")
                rows.append({"at": event.at, "device": event.device, "error": f"{event.new.state.value}: {event.new.description}", "action": action})
        return sorted(rows, key=lambda r: r["at"], reverse=True)[:limit]

    def config_status(self) -> dict[str, Any]:
        self._require()
        self._audit("maint.view_config")
        return self.configs.status() if self.configs is not None else {"active": 0, "state": "applied"}

    def rollback_config(self) -> int:
        self._require()
        if self.configs is None:
            raise NotInMaintenance("no configuration store attached")
        active = self.configs.rollback(actor=f"technician {self.technician}")
        self._audit("maint.config_rollback", now_active=active)
        return active

    def export_logs(self, target_dir: Path) -> Path:
        """Write a masked log bundle (e.g. to a USB stick mount) and return its path."""
        self._require()
        files = log_files(self.log_dir) if self.log_dir else []
        data = build_log_bundle(files, {"terminal_id": self.terminal.config.terminal.id, "technician": self.technician})
        target_dir.mkdir(parents=True, exist_ok=True)
        path = target_dir / f"kiosk-logs-{self.terminal.config.terminal.id}-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz"
        path.write_bytes(data)
        self._audit("maint.export_logs", files=len(files), bytes=len(data))
        return path

    # ----- helpers ------------------------------------------------------------------------------
    def _require(self) -> None:
        if not self.active:
            raise NotInMaintenance("enter maintenance mode first (technician card + PIN, or gesture + code)")

    def _audit(self, action: str, **detail: Any) -> None:
        if self.audit is not None:
            self.audit.append(self.technician or "unknown", action, **detail)
