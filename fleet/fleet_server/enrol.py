"""Ping and enrolment: a terminal binds its id to its public key with a code an administrator issued.

A code issued for one terminal id is single-use and may re-bind a new key (a replaced disk); a batch code (no
terminal id, for provisioning a district) enrols any id not yet bound, until it expires, and never re-binds.
"""

from __future__ import annotations

import secrets
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream

from fleet_server.context import Request
from fleet_server.contract import REPLAY_WINDOW_S, ApiError, load_public_key

VERSION = "0.1.0"


async def ping(req: Request) -> tuple[int, dict[str, Any]]:
    return 200, {"status": "ok", "server_time": int(req.now), "version": VERSION}


async def _check_code(conn: asyncpg.Connection, code: str, terminal_id: str, public_key: str, now: float) -> bool:
    """True when the code is a per-terminal one to mark used; ApiError when it does not admit this binding."""
    issued = await conn.fetchrow("SELECT terminal_id, expires_at, used_at FROM enrolment_codes WHERE code = $1 FOR UPDATE", code)
    bound = await conn.fetchval("SELECT public_key FROM terminals WHERE terminal_id = $1", terminal_id)
    same_key = bound is not None and bound == public_key
    if issued is None or (issued["expires_at"] is not None and issued["expires_at"] <= now):
        raise ApiError(403, "ENROLLMENT_INVALID", "入网码无效或已过期，请联系管理员", "enrollment_code")
    if issued["terminal_id"] is not None:
        if issued["terminal_id"] != terminal_id:
            raise ApiError(403, "ENROLLMENT_INVALID", "入网码不属于该终端号", "enrollment_code")
        if issued["used_at"] is not None and not same_key:
            raise ApiError(403, "ENROLLMENT_INVALID", "入网码已使用（一次性），请联系管理员重新签发", "enrollment_code")
        return not same_key
    if bound is not None and not same_key:
        raise ApiError(409, "TERMINAL_BOUND", "该终端号已绑定其他密钥；更换终端密钥须由管理员签发该终端的换绑码", "terminal_id")
    return False


async def register(req: Request) -> tuple[int, dict[str, Any]]:
    body = req.body
    try:
        key = load_public_key(body["public_key"])
    except ValueError:
        raise ApiError(422, "PUBLIC_KEY_INVALID", "公钥不是有效的 Ed25519 或 SM2 公钥", "public_key") from None
    if key.suite != body.get("alg", key.suite) or key.suite not in req.state.policy.accept:
        raise ApiError(422, "PUBLIC_KEY_INVALID", f"公钥套件 {key.suite} 与声明不符或平台不接受", "alg")
    terminal_id, now = body["terminal_id"], req.now
    async with req.state.pool.acquire() as conn, conn.transaction():
        if await _check_code(conn, body["enrollment_code"], terminal_id, body["public_key"], now):
            await conn.execute("UPDATE enrolment_codes SET used_at = $1, used_by = $2 WHERE code = $3", now, terminal_id, body["enrollment_code"])
        await conn.execute(
            "INSERT INTO terminals (terminal_id, public_key, alg, district_code, hall, software_version, registered_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (terminal_id) DO UPDATE SET public_key = EXCLUDED.public_key, "
            "alg = EXCLUDED.alg, district_code = EXCLUDED.district_code, hall = EXCLUDED.hall, software_version = EXCLUDED.software_version",
            terminal_id, body["public_key"], key.suite, body["district_code"], body.get("hall", ""), body.get("software_version", ""), now)
        await conn.execute("INSERT INTO enrolments (terminal_id, public_key, alg, code, at) VALUES ($1, $2, $3, $4, $5)",
                           terminal_id, body["public_key"], key.suite, body["enrollment_code"][:8] + "…", now)
    return 200, {"terminal_id": terminal_id, "registered_at": int(now), "server_time": int(now), "replay_window_s": REPLAY_WINDOW_S}


async def issue_code(pool: asyncpg.Pool, now: float, terminal_id: str | None = None, district_code: str | None = None,
                     valid_s: float = 7 * 86400, code: str | None = None) -> str:
    """Administrator action: a code for one terminal id (single use), or a batch code for any new id."""
    code = code or ("EN-" + secrets.token_urlsafe(12))
    await pool.execute("INSERT INTO enrolment_codes (code, terminal_id, district_code, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                       code, terminal_id, district_code, now, now + valid_s)
    return code
