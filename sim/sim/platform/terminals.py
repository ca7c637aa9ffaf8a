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
from kiosk.platform.signing import REPLAY_WINDOW_S, load_public_key, sign_command

VERSION = "1.0.0"


def ping(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    return 200, {"status": "ok", "server_time": int(ctx.now), "version": VERSION}


def _enrollment(ctx: Ctx, terminal_id: str, code: str, public_key: str) -> str | None:
    """Whether ``code`` lets ``terminal_id`` bind ``public_key``: the operator code to mark used, "" for a demo code
    or an unchanged binding; ApiError otherwise. A bound terminal changes key only with an operator's code for it."""
    issued = ctx.db.conn.execute("SELECT terminal_id, used_at FROM enrollment_codes WHERE code = ?", (code,)).fetchone()
    bound = ctx.db.conn.execute("SELECT public_key FROM terminals WHERE terminal_id = ?", (terminal_id,)).fetchone()
    same_key = bound is not None and bound[0] == public_key
    if issued is not None:
        if issued[0] != terminal_id:
            raise ApiError(403, "ENROLLMENT_INVALID", "入网码不属于该终端号", "enrollment_code")
        if issued[1] is not None and not same_key:
            raise ApiError(403, "ENROLLMENT_INVALID", "入网码已使用（一次性），请联系管理员重新签发", "enrollment_code")
        return None if same_key else code
    if code not in ctx.state.enrollment_codes:
        raise ApiError(403, "ENROLLMENT_INVALID", "入网码无效或已过期，请联系管理员", "enrollment_code")
    if bound is not None and not same_key:
        raise ApiError(409, "TERMINAL_BOUND", "该终端号已绑定其他密钥；更换终端密钥须由运维人员签发换绑码", "terminal_id")
    return None


def register(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    body = ctx.body
    try:
        key = load_public_key(body["public_key"])
    except ValueError:
        raise ApiError(422, "PUBLIC_KEY_INVALID", "公钥不是有效的 Ed25519 或 SM2 公钥", "public_key") from None
    if key.suite != body.get("alg", key.suite) or key.suite not in ctx.state.policy.accept:
        raise ApiError(422, "PUBLIC_KEY_INVALID", f"公钥套件 {key.suite} 与声明不符或平台不接受", "alg")
    if not ctx.db.conn.execute("SELECT 1 FROM districts WHERE code = ?", (body["district_code"],)).fetchone():
        raise ApiError(422, "DISTRICT_UNKNOWN", "行政区划代码不属于重庆市区县", "district_code")
    now = int(ctx.now)
    with ctx.db.conn:
        used = _enrollment(ctx, body["terminal_id"], body["enrollment_code"], body["public_key"])
        if used is not None:
            ctx.db.conn.execute("UPDATE enrollment_codes SET used_at = ? WHERE code = ?", (now, used))
        ctx.db.conn.execute(
            "INSERT INTO terminals (terminal_id, public_key, district_code, hall, registered_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(terminal_id) DO UPDATE SET public_key = excluded.public_key, district_code = excluded.district_code, hall = excluded.hall",
            (body["terminal_id"], body["public_key"], body["district_code"], body.get("hall", ""), now),
        )
    return 200, {"terminal_id": body["terminal_id"], "registered_at": now, "server_time": now, "replay_window_s": REPLAY_WINDOW_S}


def issue_enrollment_code(state: EmulatorState, terminal_id: str, purpose: str = "rebind") -> str:
    """Operator action (emulator control): a one-time code that lets ``terminal_id`` (re-)bind a key, e.g. after a disk swap."""
    code = "OP-" + secrets.token_urlsafe(12)
    state.db.conn.execute("INSERT INTO enrollment_codes (code, terminal_id, purpose, issued_at) VALUES (?, ?, ?, ?)",
                          (code, terminal_id, purpose, int(state.clock())))
    return code


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
    pending = rows(db, "SELECT command_id, type, args, issued_at, envelope FROM commands WHERE terminal_id = ? AND acked_at IS NULL "
                       "ORDER BY issued_at, rowid", (ctx.terminal_id,))
    commands = [json.loads(c["envelope"]) if c["envelope"] else {k: v for k, v in c.items() if k != "envelope"} | {"args": json.loads(c["args"])}
                for c in pending]
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


def queue_command(state: EmulatorState, terminal_id: str, kind: str, args: dict[str, Any] | None = None, ttl_s: int | None = None) -> str:
    """Emulator control (demo, fleet tests): queue a remote command for a terminal, signed by the operations key,
    bound to that terminal, with the next counter and an expiry."""
    command_id = "cmd_" + secrets.token_urlsafe(9)
    now = int(state.clock())
    conn = state.db.conn
    with conn:
        conn.execute("INSERT INTO command_counters (terminal_id, counter) VALUES (?, 1) "
                     "ON CONFLICT(terminal_id) DO UPDATE SET counter = counter + 1", (terminal_id,))
        counter = conn.execute("SELECT counter FROM command_counters WHERE terminal_id = ?", (terminal_id,)).fetchone()[0]
        command = {"command_id": command_id, "type": kind, "args": args or {}, "issued_at": now, "terminal_id": terminal_id,
                   "counter": counter, "expires_at": now + (state.command_ttl_s if ttl_s is None else ttl_s)}
        envelope = sign_command(state.operations_key, command)
        conn.execute("INSERT INTO commands (command_id, terminal_id, type, args, issued_at, envelope) VALUES (?, ?, ?, ?, ?, ?)",
                     (command_id, terminal_id, kind, json.dumps(args or {}), now, json.dumps(envelope, ensure_ascii=False)))
    return command_id


HANDLERS = {"ping": ping, "registerTerminal": register, "heartbeat": heartbeat, "currentConfig": current_config, "downloadBundle": download_bundle}
