"""Remote commands: queued by an administrator, signed with the operations key, delivered with each heartbeat
until the terminal acknowledges a result.

The envelope is signed once, when the command is queued, over the fields the terminal checks (kiosk.platform.trust):
this terminal's id, a per-terminal counter that only grows (taken from the terminal's row, under its lock, so two
workers never hand out the same one) and an expiry.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream

from fleet_server.contract import SigningKey, sign_command


async def queue_command(pool: asyncpg.Pool, key: SigningKey, terminal_id: str, kind: str, args: dict[str, Any] | None, *, by: str,
                        now: float, ttl_s: int) -> str:
    command_id = "cmd_" + secrets.token_urlsafe(12)
    async with pool.acquire() as conn, conn.transaction():
        counter = await conn.fetchval("UPDATE terminals SET command_counter = command_counter + 1 WHERE terminal_id = $1 RETURNING command_counter",
                                      terminal_id)
        if counter is None:
            raise KeyError(terminal_id)
        expires = int(now) + ttl_s
        envelope = sign_command(key, {"command_id": command_id, "type": kind, "args": args or {}, "issued_at": int(now), "terminal_id": terminal_id,
                                      "counter": int(counter), "expires_at": expires})
        await conn.execute("INSERT INTO commands (command_id, terminal_id, counter, type, args, envelope, issued_by, issued_at, expires_at) "
                           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", command_id, terminal_id, counter, kind, json.dumps(args or {}),
                           json.dumps(envelope, ensure_ascii=False), by, now, float(expires))
    return command_id


async def result_of(pool: asyncpg.Pool, command_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT ok, result, refused, at FROM command_results WHERE command_id = $1", command_id)
    return dict(row) if row is not None else None
