"""Who may enter maintenance mode: technician card + PIN, or hidden gesture + TOTP code; lockout after failures.

The failure counter and the lockout live in the store, so pulling the power cord does not reset
them. Every attempt — success, failure, refused while locked — is an audit record (technician id
only; a PIN or code is never logged). The card id comes from the chip-card reader's
``read_technician_id`` (our maintenance card application on a PC/SC card).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from kiosk.maint import totp
from kiosk.store.migrations import Migrations

MAINT = Migrations("maint")


@MAINT.register(1)
def create_maint_tables(db: Database) -> None:
    db.execute("CREATE TABLE maint_lockout (id INTEGER PRIMARY KEY CHECK (id = 1), failures INTEGER NOT NULL, locked_until REAL NOT NULL, "
               "last_totp_step INTEGER)")
    db.execute("CREATE TABLE maint_counters (device TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (device, name))")


#: Refusals before any PIN or code was checked: they do not count towards the lockout.
UNCOUNTED = frozenset({"no_card", "wrong_card", "reader_error", "disabled"})


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    reason: str  # ok | wrong_pin | unknown_card | bad_code | locked | no_card | wrong_card | reader_error | disabled
    technician: str = ""
    locked_until: float = 0.0
    failures_left: int = 0

    @property
    def message(self) -> str:
        return {
            "ok": "验证通过，进入维护模式",
            "wrong_pin": f"密码错误，还可尝试 {self.failures_left} 次",
            "unknown_card": f"维护卡未登记，还可尝试 {self.failures_left} 次",
            "bad_code": f"动态码错误，还可尝试 {self.failures_left} 次",
            "locked": "失败次数过多，维护入口已锁定，请稍后再试",
            "no_card": "未读到维护卡，请将维护卡放入读卡器",
            "wrong_card": "这张卡不是维护卡，请换用维护卡",
            "reader_error": "读卡器暂时无法读卡，请取出维护卡重新放入后再试",
            "disabled": "本终端未启用该入口",
        }.get(self.reason, self.reason)


class MaintenanceAuth:
    def __init__(self, technicians: dict[str, str], totp_secret: str = "", *, store: Any = None, audit: Any = None,
                 max_failures: int = 5, lockout_s: float = 900.0, clock: Callable[[], float] = time.time) -> None:
        self.technicians = dict(technicians)
        self.totp_secret = totp_secret
        self.store = store
        self.audit = audit
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.clock = clock
        self._lock = threading.Lock()
        self._memory = {"failures": 0, "locked_until": 0.0, "last_totp_step": None}

    @classmethod
    def from_config(cls, section: Any, **kw: Any) -> MaintenanceAuth:
        return cls(dict(section.technicians), section.totp_secret, max_failures=section.max_failures, lockout_s=section.lockout_s, **kw)

    # ----- persistence --------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        if self.store is None:
            return dict(self._memory)
        row = self.store.db().execute("SELECT failures, locked_until, last_totp_step FROM maint_lockout WHERE id = 1").fetchone()
        if row is None:
            return {"failures": 0, "locked_until": 0.0, "last_totp_step": None}
        return {"failures": row[0], "locked_until": row[1], "last_totp_step": row[2]}

    def _save(self, state: dict[str, Any]) -> None:
        if self.store is None:
            self._memory = dict(state)
            return
        self.store.db().execute("INSERT OR REPLACE INTO maint_lockout (id, failures, locked_until, last_totp_step) VALUES (1, ?, ?, ?)",
                                [state["failures"], state["locked_until"], state["last_totp_step"]])

    def locked_until(self) -> float:
        until = float(self._load()["locked_until"])
        return until if until > self.clock() else 0.0

    # ----- entry --------------------------------------------------------------------------------
    def with_card(self, technician_id: str | None, pin: str) -> AuthResult:
        """Technician card id (None: no card read) + PIN."""
        if technician_id is None:
            return self._audited(AuthResult(False, "no_card"), "card")
        stored = self.technicians.get(technician_id)
        if stored is None:
            return self._attempt(False, "unknown_card", technician_id, "card")
        return self._attempt(totp.check_pin(pin, stored), "wrong_pin", technician_id, "card")

    def refused(self, reason: str, method: str, **detail: Any) -> AuthResult:
        """Refused before any secret was checked (no card, not a maintenance card, reader fault): audited, not counted."""
        return self._audited(AuthResult(False, reason), method, **detail)

    def with_totp(self, code: str) -> AuthResult:
        """Hidden gesture + the 6-digit code of the terminal's authenticator secret."""
        if not self.totp_secret:
            return self._audited(AuthResult(False, "disabled"), "totp")
        with self._lock:
            state = self._load()
            step = None if self.locked_until() else totp.verify(self.totp_secret, code, self.clock(), last_step=state["last_totp_step"])
            if step is not None:
                state["last_totp_step"] = step
                self._save(state)
        return self._attempt(step is not None, "bad_code", "totp", "totp")

    def _attempt(self, ok: bool, failure: str, who: str, method: str) -> AuthResult:
        with self._lock:
            state = self._load()
            now = self.clock()
            if state["locked_until"] > now:
                return self._audited(AuthResult(False, "locked", who, state["locked_until"]), method)
            if ok:
                state["failures"], state["locked_until"] = 0, 0.0
                self._save(state)
                return self._audited(AuthResult(True, "ok", who), method)
            state["failures"] += 1
            if state["failures"] >= self.max_failures:
                state["failures"], state["locked_until"] = 0, now + self.lockout_s
                self._save(state)
                return self._audited(AuthResult(False, "locked", who, state["locked_until"]), method)
            self._save(state)
            return self._audited(AuthResult(False, failure, who, 0.0, self.max_failures - state["failures"]), method)

    def _audited(self, result: AuthResult, method: str, **detail: Any) -> AuthResult:
        if self.audit is not None:
            self.audit.append(result.technician or "unknown", "maint.enter" if result.ok else "maint.enter_refused", method=method,
                              reason=result.reason, locked_until=result.locked_until or None, **detail)
        return result
