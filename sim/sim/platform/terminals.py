"""Terminal-facing housekeeping: ping, registration, heartbeat with commands, config bundles."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from starlette.responses import Response

from kiosk.platform.contract import ApiError
from sim.platform.audit_heads import keep_audit_head
from sim.platform.context import Ctx, EmulatorState
from sim.platform.db import rows
from sim.platform.fleet import record_heartbeat
from kiosk.platform.rollout import choose
from kiosk.platform.signing import REPLAY_WINDOW_S, load_public_key

VERSION = "1.0.0"


def ping(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    return 200, {"status": "ok", "server_time": int(ctx.now), "version": VERSION}


def register(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    if body["enrollment_code"] not in ctx.state.enrollment_codes:
        raise ApiError(403, "ENROLLMENT_INVALID", "入网码无效或已过期，请联系管理员", "enrollment_code")
    try:
        load_public_key(body["public_key"])
    except ValueError:
        raise ApiError(422, "PUBLIC_KEY_INVALID", "公钥不是有效的 Ed25519 公钥", "public_key") from None
    if not ctx.db.conn.execute("SELECT 1 FROM districts WHERE code = ?", (body["district_code"],)).fetchone():
        raise ApiError(422, "DISTRICT_UNKNOWN", "行政区划代码不属于重庆市区县", "district_code")
    now = int(ctx.now)
    # A valid enrollment code may re-bind the key: a replaced terminal disk must be able to rejoin.
    ctx.db.conn.execute(
        "INSERT INTO terminals (terminal_id, public_key, district_code, hall, registered_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(terminal_id) DO UPDATE SET public_key = excluded.public_key, district_code = excluded.district_code, hall = excluded.hall",
        (body["terminal_id"], body["public_key"], body["district_code"], body.get("hall", ""), now),
    )
    return 200, {"terminal_id": body["terminal_id"], "registered_at": now, "server_time": now, "replay_window_s": REPLAY_WINDOW_S}


def _current_config(state: EmulatorState, terminal_id: str = "") -> dict[str, Any]:
    """The bundle this terminal should run: ``current.json`` through the canary choice of kiosk.platform.rollout."""
    empty = {"version": "0", "bundle": None, "url": None, "sha256": None, "size": None}
    if state.bundles_dir is None:
        return empty
    pointer = state.bundles_dir / "current.json"
    try:
        current = choose(json.loads(pointer.read_text(encoding="utf-8")), terminal_id)
        if current is None:
            return empty
        name = str(current["bundle"])
        data = (state.bundles_dir / name).read_bytes()
    except (OSError, ValueError, KeyError, TypeError):
        return empty
    return {"version": str(current.get("version", "0")), "bundle": name, "url": f"/bundles/{name}", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def heartbeat(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    db = ctx.db
    acked = body.get("acked_commands", [])
    for command_id in acked:
        db.conn.execute("UPDATE commands SET acked_at = ? WHERE command_id = ? AND terminal_id = ?", (int(ctx.now), command_id, ctx.terminal_id))
    record_heartbeat(ctx)
    audit_ack = keep_audit_head(ctx)
    db.conn.execute("UPDATE terminals SET last_seen = ?, last_heartbeat = ? WHERE terminal_id = ?",
                    (int(ctx.now), json.dumps(body, ensure_ascii=False), ctx.terminal_id))
    pending = rows(db, "SELECT command_id, type, args, issued_at FROM commands WHERE terminal_id = ? AND acked_at IS NULL ORDER BY issued_at", (ctx.terminal_id,))
    commands = [{**c, "args": json.loads(c["args"])} for c in pending]
    return 200, {"server_time": int(ctx.now), "config_version": _current_config(ctx.state, ctx.terminal_id)["version"], "commands": commands,
                 **({"audit_head_ack": audit_ack} if audit_ack else {})}


def current_config(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    return 200, _current_config(ctx.state, ctx.terminal_id)


def download_bundle(ctx: Ctx) -> Response:
    name = ctx.params["name"]
    directory = ctx.state.bundles_dir
    path = (directory / name) if directory else None
    if path is None or name == "current.json" or not path.is_file():
        raise ApiError(404, "BUNDLE_NOT_FOUND", "配置包不存在", "name")
    data = path.read_bytes()
    etag = f'"{hashlib.sha256(data).hexdigest()}"'
    if etag in [t.strip() for t in ctx.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(data, media_type="application/octet-stream", headers={"ETag": etag, "Cache-Control": "no-cache"})


def queue_command(state: EmulatorState, terminal_id: str, kind: str, args: dict[str, Any] | None = None) -> str:
    """Emulator control (demo, fleet tests): queue a remote command for a terminal."""
    command_id = "cmd_" + secrets.token_urlsafe(9)
    state.db.conn.execute("INSERT INTO commands (command_id, terminal_id, type, args, issued_at) VALUES (?, ?, ?, ?, ?)",
                          (command_id, terminal_id, kind, json.dumps(args or {}), int(state.clock())))
    return command_id


HANDLERS = {"ping": ping, "registerTerminal": register, "heartbeat": heartbeat, "currentConfig": current_config, "downloadBundle": download_bundle}
