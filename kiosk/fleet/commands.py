"""Remote commands from the heartbeat reply: run each once, audit it, acknowledge its result.

A command is executed at most once per id: its result is stored (SQLite, ``fleet`` migrations)
before it is reported, so a ``restart`` re-delivered after the restart it caused is acknowledged,
not run again, and results survive the restart until a heartbeat carries them to the platform.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from kiosk.store.migrations import Migrations

log = logging.getLogger(__name__)

FLEET = Migrations("fleet")


@FLEET.register(1)
def create_command_log(db: Database) -> None:
    db.execute("CREATE TABLE fleet_commands (command_id TEXT PRIMARY KEY, type TEXT NOT NULL, args TEXT NOT NULL, ok INTEGER NOT NULL, "
               "result TEXT NOT NULL, executed_at REAL NOT NULL, reported_at REAL)")


@FLEET.register(2)
def create_fleet_settings(db: Database) -> None:
    db.execute("CREATE TABLE fleet_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@dataclass(frozen=True)
class CommandResult:
    ok: bool
    result: str

    @classmethod
    def done(cls, text: str) -> CommandResult:
        return cls(True, text[:500])

    @classmethod
    def failed(cls, text: str) -> CommandResult:
        return cls(False, text[:500])


Handler = Callable[[dict[str, Any]], Awaitable[CommandResult]]


class CommandLog:
    """Executed commands and their results: SQLite when a store is given, memory otherwise."""

    def __init__(self, store: Any = None) -> None:
        self.store = store
        self._memory: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def seen(self, command_id: str) -> bool:
        if self.store is None:
            return command_id in self._memory
        return self.store.db().execute("SELECT 1 FROM fleet_commands WHERE command_id = ?", [command_id]).fetchone() is not None

    def record(self, command_id: str, kind: str, args: dict[str, Any], result: CommandResult) -> None:
        row = {"command_id": command_id, "type": kind, "args": json.dumps(args, ensure_ascii=False), "ok": int(result.ok),
               "result": result.result, "executed_at": time.time(), "reported_at": None}
        if self.store is None:
            with self._lock:
                self._memory[command_id] = row
            return
        self.store.db()["fleet_commands"].insert(row, replace=True)

    def unreported(self, limit: int = 64) -> list[dict[str, Any]]:
        if self.store is None:
            with self._lock:
                rows = [r for r in self._memory.values() if r["reported_at"] is None][:limit]
        else:
            rows = list(self.store.db().query("SELECT * FROM fleet_commands WHERE reported_at IS NULL ORDER BY executed_at LIMIT ?", [limit]))
        return [{"command_id": r["command_id"], "ok": bool(r["ok"]), "result": r["result"]} for r in rows]

    def expire(self, max_age_s: float = 7 * 86400, keep: int = 256, command_ids: list[str] | None = None) -> int:
        """Results that can never be acknowledged stop riding on heartbeats: older than ``max_age_s``, beyond the
        newest ``keep``, or the ``command_ids`` a platform refused to take. Marked reported at time 0; returns how many."""
        cutoff = time.time() - max_age_s
        if self.store is None:
            with self._lock:
                waiting = sorted((r for r in self._memory.values() if r.get("command_id") and r["reported_at"] is None),
                                 key=lambda r: r["executed_at"], reverse=True)
                doomed = [r for i, r in enumerate(waiting) if i >= keep or r["executed_at"] < cutoff or r["command_id"] in (command_ids or [])]
                for r in doomed:
                    r["reported_at"] = 0
            count = len(doomed)
        else:
            db = self.store.db()
            marks = ", ".join("?" * len(command_ids or []))
            named = f" OR command_id IN ({marks})" if command_ids else ""
            cursor = db.execute(
                "UPDATE fleet_commands SET reported_at = 0 WHERE reported_at IS NULL AND (executed_at < ?" + named + " OR command_id NOT IN "
                "(SELECT command_id FROM fleet_commands WHERE reported_at IS NULL ORDER BY executed_at DESC LIMIT ?))",
                [cutoff, *(command_ids or []), keep])
            count = cursor.rowcount
        if count:
            log.warning("%d remote command result(s) expired unacknowledged", count)
        return count

    def mark_reported(self, command_ids: list[str]) -> None:
        now = time.time()
        if self.store is None:
            with self._lock:
                for cid in command_ids:
                    if cid in self._memory:
                        self._memory[cid]["reported_at"] = now
            return
        db = self.store.db()
        for cid in command_ids:
            db.execute("UPDATE fleet_commands SET reported_at = ? WHERE command_id = ?", [now, cid])

    def setting(self, key: str) -> str | None:
        if self.store is None:
            return self._memory.get(f"setting:{key}", {}).get("value")
        row = self.store.db().execute("SELECT value FROM fleet_settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        if self.store is None:
            self._memory[f"setting:{key}"] = {"value": value, "reported_at": 0}
            return
        self.store.db()["fleet_settings"].insert({"key": key, "value": value}, pk="key", replace=True)


class CommandExecutor:
    """Runs commands by type with the registered handlers; unknown types are acknowledged as failed."""

    def __init__(self, handlers: dict[str, Handler], commands: CommandLog, audit: Any = None, timeout_s: float = 120.0) -> None:
        self.handlers = handlers
        self.log = commands
        self.audit = audit
        self.timeout_s = timeout_s

    async def run(self, commands: list[Any]) -> list[str]:
        """Execute the new ones among ``commands`` (objects with command_id/type/args); returns the ids run."""
        ran = []
        for command in commands:
            if self.log.seen(command.command_id):
                continue
            result = await self._one(command.type, dict(command.args))
            self.log.record(command.command_id, command.type, dict(command.args), result)
            if self.audit is not None:
                self.audit.append("platform", f"command.{command.type}", command_id=command.command_id, args=command.args,
                                  ok=result.ok, result=result.result)
            log.info("remote command %s %s: %s %s", command.command_id, command.type, "ok" if result.ok else "failed", result.result)
            ran.append(command.command_id)
        return ran

    async def _one(self, kind: str, args: dict[str, Any]) -> CommandResult:
        handler = self.handlers.get(kind)
        if handler is None:
            return CommandResult.failed(f"unsupported command {kind!r} on this terminal")
        try:
            return await asyncio.wait_for(handler(args), self.timeout_s)
        except TimeoutError:
            return CommandResult.failed(f"{kind} did not finish within {self.timeout_s:.0f} s")
        except Exception as exc:  # a failing handler is a failed command, never a dead heartbeat loop
            log.exception("remote command %s failed", kind)
            return CommandResult.failed(f"{type(exc).__name__}: {exc}")
