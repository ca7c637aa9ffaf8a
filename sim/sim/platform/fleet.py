"""Fleet side of the emulator: per-terminal rollout, acknowledgements, command results, log uploads.

What the heartbeat carries back (config acknowledgement, command results and refusals, self-test) is kept in
its own tables so an administrator (``rollout_report``) and the fleet tests can count per version.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlite_utils

from kiosk.platform.contract import ApiError
from sim.platform.context import Ctx
from sim.platform.db import rows


def record_heartbeat(ctx: Ctx) -> None:
    """Store what one heartbeat acknowledges (idempotent: a repeated heartbeat changes nothing)."""
    body, now, tid, conn = ctx.body, int(ctx.now), ctx.terminal_id, ctx.db.conn
    for result in body.get("command_results", []):
        conn.execute("INSERT OR IGNORE INTO command_results (command_id, terminal_id, ok, result, at) "
                     "SELECT command_id, terminal_id, ?, ?, ? FROM commands WHERE command_id = ? AND terminal_id = ?",
                     (int(result["ok"]), result["result"], now, result["command_id"], tid))
        conn.execute("UPDATE commands SET acked_at = ? WHERE command_id = ? AND terminal_id = ? AND acked_at IS NULL",
                     (now, result["command_id"], tid))
    for refused in body.get("refused_commands", []):  # the terminal cannot parse it: dropped from the queue, kept as a failed result
        conn.execute("INSERT OR IGNORE INTO command_results (command_id, terminal_id, ok, result, at) "
                     "SELECT command_id, terminal_id, 0, ?, ? FROM commands WHERE command_id = ? AND terminal_id = ?",
                     (f"refused by the terminal: {refused['reason']}", now, refused["command_id"], tid))
        conn.execute("UPDATE commands SET acked_at = ? WHERE command_id = ? AND terminal_id = ? AND acked_at IS NULL",
                     (now, refused["command_id"], tid))
    config = body.get("config")
    if config:
        conn.execute("INSERT OR IGNORE INTO config_acks (terminal_id, target, state, version, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
                     (tid, config.get("target", config["version"]), config["state"], config["version"], config.get("reason", ""), now))
    selftest = body.get("selftest")
    if selftest:
        conn.execute("INSERT OR REPLACE INTO selftests (terminal_id, at, passed, body) VALUES (?, ?, ?, ?)",
                     (tid, selftest["at"], int(selftest["passed"]), json.dumps(selftest, ensure_ascii=False)))


def upload_logs(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    digest = hashlib.sha256(ctx.raw).hexdigest()
    if digest != ctx.params["sha256"]:
        raise ApiError(422, "DIGEST_MISMATCH", "日志包内容与路径中的摘要不一致", "sha256")
    if not ctx.raw.startswith(b"\x1f\x8b"):
        raise ApiError(422, "NOT_GZIP", "日志包应为 gzip 压缩的 tar", None)
    ctx.db.conn.execute("INSERT OR IGNORE INTO log_uploads (sha256, terminal_id, size, content, at) VALUES (?, ?, ?, ?, ?)",
                        (digest, ctx.terminal_id, len(ctx.raw), ctx.raw, int(ctx.now)))
    return 201, {"sha256": digest, "size": len(ctx.raw)}


def rollout_report(db: sqlite_utils.Database, target: str) -> dict[str, Any]:
    """Per-state counts of terminals that acknowledged ``target`` (each terminal's latest state counts once)."""
    latest = rows(db, "SELECT terminal_id, state, MAX(at) AS at FROM config_acks WHERE target = ? GROUP BY terminal_id, state", (target,))
    order = {"staged": 0, "rejected": 1, "applied": 2, "rolled_back": 3}
    per_terminal: dict[str, str] = {}
    for r in sorted(latest, key=lambda r: (r["at"], order.get(r["state"], 9))):
        per_terminal[r["terminal_id"]] = r["state"]
    counts: dict[str, int] = {}
    for state in per_terminal.values():
        counts[state] = counts.get(state, 0) + 1
    running = rows(db, "SELECT json_extract(last_heartbeat, '$.config_version') AS v, COUNT(*) AS n FROM terminals GROUP BY v")
    return {"target": target, "terminals": len(per_terminal), "states": counts, "running": {str(r["v"]): r["n"] for r in running}}


HANDLERS = {"uploadLogs": upload_logs}
