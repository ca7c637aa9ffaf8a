"""The heartbeat: store what the terminal reports and acknowledges, answer its pending commands and config version.

One transaction per heartbeat, a fixed number of statements whatever the report holds (arrays go in through
``unnest``), so the cost per terminal is flat. A command result is written before the command is marked
acknowledged, in the same transaction: a result the terminal reported is never lost, and a repeated heartbeat
(the terminal did not get our answer) changes nothing.
"""

from __future__ import annotations

import json
import time
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream

from fleet_server.catalog import config_for
from fleet_server.context import Request, claim

PAPER_KEYS = ("paper",)
DEVICE_SQL = (
    "INSERT INTO device_states (terminal_id, device, state, paper, action, description, last_error, updated_at) "
    "SELECT $1, d.device, d.state, d.paper, d.action, d.description, d.last_error, $2 "
    "FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS d(device, state, paper, action, description, last_error) "
    "ON CONFLICT (terminal_id, device) DO UPDATE SET state = EXCLUDED.state, paper = EXCLUDED.paper, action = EXCLUDED.action, "
    "description = EXCLUDED.description, last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at")
STATUS_SQL = (
    "INSERT INTO terminal_status (terminal_id, last_seen, state, config_version, software_version, outbox_depth, outbox_oldest_s, "
    "dead_letters, outbox_held, disk_free_mb, alerts, hall_message, uptime_s) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
    "ON CONFLICT (terminal_id) DO UPDATE SET last_seen = EXCLUDED.last_seen, state = EXCLUDED.state, config_version = EXCLUDED.config_version, "
    "software_version = EXCLUDED.software_version, outbox_depth = EXCLUDED.outbox_depth, outbox_oldest_s = EXCLUDED.outbox_oldest_s, "
    "dead_letters = EXCLUDED.dead_letters, outbox_held = EXCLUDED.outbox_held, disk_free_mb = EXCLUDED.disk_free_mb, alerts = EXCLUDED.alerts, "
    "hall_message = EXCLUDED.hall_message, uptime_s = EXCLUDED.uptime_s")
RESULTS_SQL = (
    "INSERT INTO command_results (command_id, terminal_id, ok, result, refused, at) "
    "SELECT c.command_id, c.terminal_id, r.ok, r.result, r.refused, $2 "
    "FROM unnest($3::text[], $4::bool[], $5::text[], $6::bool[]) AS r(command_id, ok, result, refused) "
    "JOIN commands c ON c.command_id = r.command_id AND c.terminal_id = $1 ON CONFLICT (command_id) DO NOTHING")


def _paper(detail: Any) -> str | None:
    if isinstance(detail, dict):
        for key in PAPER_KEYS:
            value = detail.get(key)
            if isinstance(value, str):
                return value[:20]
    return None


def _dead_letters(body: dict[str, Any]) -> int:
    """The outbox's rejected count, or the dead-letter alert's count when the outbox block says less."""
    count = int(body.get("outbox", {}).get("rejected", 0))
    for alert in body.get("alerts", []):
        if alert.get("code") == "outbox_dead_letter":
            count = max(count, int(alert.get("count", 1)))
    return count


async def _results(conn: asyncpg.Connection, tid: str, now: float, body: dict[str, Any]) -> None:
    results = body.get("command_results", [])
    refused = body.get("refused_commands", [])
    ids = [r["command_id"] for r in results] + [r["command_id"] for r in refused]
    if ids:
        await conn.execute(RESULTS_SQL, tid, now, ids, [bool(r["ok"]) for r in results] + [False] * len(refused),
                           [r["result"] for r in results] + [f"refused by the terminal: {r['reason']}" for r in refused],
                           [False] * len(results) + [True] * len(refused))
    acked = list({*ids, *body.get("acked_commands", [])})
    if acked:
        await conn.execute("UPDATE commands SET acked_at = $1 WHERE terminal_id = $2 AND command_id = ANY($3::text[]) AND acked_at IS NULL",
                           now, tid, acked)


async def _devices(conn: asyncpg.Connection, tid: str, now: float, devices: list[dict[str, Any]]) -> None:
    rows = [(d["device"], d["state"], _paper(d.get("detail")), d.get("action"), d.get("description", ""), d.get("last_error", ""))
            for d in devices]
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(6)]
    await conn.execute(DEVICE_SQL, tid, now, *columns)
    await conn.execute("DELETE FROM device_states WHERE terminal_id = $1 AND NOT (device = ANY($2::text[]))", tid, columns[0])


async def _audit_head(conn: asyncpg.Connection, tid: str, now: float, head: dict[str, Any] | None) -> None:
    """A chain only grows: a lower seq (store rolled back or replaced) or another MAC at the same seq (a fork) is a
    mismatch, kept until an administrator clears it."""
    if not head:
        return
    seq, mac, suite = int(head["seq"]), str(head["mac"]), str(head.get("suite", ""))
    known = await conn.fetchrow("SELECT seq, mac FROM audit_heads WHERE terminal_id = $1 FOR UPDATE", tid)
    problem = None
    if known is not None and seq < known["seq"]:
        problem = f"audit head went back from seq {known['seq']} to {seq}"
    elif known is not None and seq == known["seq"] and mac != known["mac"]:
        problem = f"audit head at seq {seq} changed MAC"
    await conn.execute(
        "INSERT INTO audit_heads (terminal_id, seq, mac, suite, at, mismatch_at, mismatch) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (terminal_id) DO UPDATE SET seq = GREATEST(audit_heads.seq, EXCLUDED.seq), "
        "mac = CASE WHEN EXCLUDED.seq > audit_heads.seq THEN EXCLUDED.mac ELSE audit_heads.mac END, suite = EXCLUDED.suite, at = EXCLUDED.at, "
        "mismatch_at = COALESCE(audit_heads.mismatch_at, EXCLUDED.mismatch_at), mismatch = COALESCE(audit_heads.mismatch, EXCLUDED.mismatch)",
        tid, seq, mac, suite, now, now if problem else None, problem)


async def heartbeat(req: Request) -> tuple[int, dict[str, Any]]:
    started = time.perf_counter()
    body, tid, now = req.body, req.terminal_id, req.now
    outbox = body.get("outbox", {})
    async with req.state.pool.acquire() as conn, conn.transaction():
        await claim(conn, req)
        await _results(conn, tid, now, body)
        await conn.execute(STATUS_SQL, tid, now, body.get("terminal_state", "starting"), body["config_version"], body["software_version"],
                           int(outbox.get("depth", 0)), float(outbox.get("oldest_age_s", 0)), _dead_letters(body), int(outbox.get("held", 0)),
                           body.get("disk", {}).get("free_mb"), json.dumps(body.get("alerts", []), ensure_ascii=False),
                           body.get("hall_message", ""), body.get("uptime_s"))
        await _devices(conn, tid, now, body.get("devices", []))
        config = body.get("config")
        if config:
            await conn.execute("INSERT INTO config_acks (terminal_id, target, state, version, reason, at) VALUES ($1, $2, $3, $4, $5, $6) "
                               "ON CONFLICT DO NOTHING", tid, config.get("target", config["version"]), config["state"], config["version"],
                               config.get("reason", ""), now)
        selftest = body.get("selftest")
        if selftest:
            await conn.execute("INSERT INTO selftests (terminal_id, at, passed, body) VALUES ($1, $2, $3, $4) ON CONFLICT (terminal_id) "
                               "DO UPDATE SET at = EXCLUDED.at, passed = EXCLUDED.passed, body = EXCLUDED.body",
                               tid, float(selftest["at"]), bool(selftest["passed"]), json.dumps(selftest, ensure_ascii=False))
        await _audit_head(conn, tid, now, body.get("audit_head"))
        pending = await conn.fetch("UPDATE commands SET delivered_at = COALESCE(delivered_at, $2) WHERE terminal_id = $1 AND acked_at IS NULL "
                                   "AND expires_at > $2 RETURNING counter, envelope", tid, now)
        await conn.execute("INSERT INTO heartbeats (terminal_id, at, state, config_version, outbox_depth, handled_ms) "
                           "VALUES ($1, $2, $3, $4, $5, $6)",
                           tid, now, body.get("terminal_state", "starting"), body["config_version"], int(outbox.get("depth", 0)),
                           (time.perf_counter() - started) * 1000)
    commands = [json.loads(r["envelope"]) for r in sorted(pending, key=lambda r: r["counter"])]
    current = await config_for(req.state, tid)
    return 200, {"server_time": int(now), "config_version": current["version"], "commands": commands}
