"""Request signature verification — the same checks, order and error codes as the platform emulator — with the
nonces in PostgreSQL, so a request replayed to another worker or after a restart is still refused.

The nonce is claimed inside the request's own transaction (``claim_nonce``): a request that fails later leaves no
claimed nonce behind, and two workers racing on one nonce cannot both win (primary key).
"""

from __future__ import annotations

import hmac
import re

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream

from fleet_server.contract import (
    ED25519,
    NONCE_PATTERN,
    REPLAY_WINDOW_S,
    SUITES,
    ApiError,
    Policy,
    body_digest,
    canonical_string,
    decode_signature,
    digest,
    load_public_key,
)

_NONCE_RE = re.compile(NONCE_PATTERN)


def _unauthorized(code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(401, code, message, field)


async def verify(conn: asyncpg.Connection | asyncpg.Pool, policy: Policy, method: str, target: str, headers: dict[str, str], body: bytes,
                 now: float, window_s: int = REPLAY_WINDOW_S) -> tuple[str, str]:
    """(terminal id, nonce) of a correctly signed request, or ApiError(401). The nonce is not claimed yet."""
    terminal_id = headers.get("x-terminal-id")
    timestamp = headers.get("x-timestamp")
    nonce = headers.get("x-nonce")
    sha256 = headers.get("x-content-sha256")
    signature = headers.get("x-signature")
    alg = headers.get("x-signature-alg", ED25519)
    for name, value in (("X-Terminal-Id", terminal_id), ("X-Timestamp", timestamp), ("X-Nonce", nonce), ("X-Content-SHA256", sha256),
                        ("X-Signature", signature)):
        if not value:
            raise _unauthorized("SIGNATURE_MISSING", f"请求未签名：缺少 {name}", name)
    assert terminal_id and timestamp and nonce and sha256 and signature
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise _unauthorized("TIMESTAMP_INVALID", "X-Timestamp 应为 Unix 秒", "X-Timestamp")
    if abs(int(timestamp) - now) > window_s:
        raise _unauthorized("TIMESTAMP_STALE", f"请求时间与平台时间相差超过 {window_s} 秒，请校准终端时钟", "X-Timestamp")
    if not _NONCE_RE.match(nonce):
        raise _unauthorized("NONCE_INVALID", "X-Nonce 格式不正确", "X-Nonce")
    if not hmac.compare_digest(sha256.lower(), body_digest(body)):
        raise _unauthorized("DIGEST_MISMATCH", "X-Content-SHA256 与请求体不一致", "X-Content-SHA256")
    covered = sha256.lower()
    if alg != ED25519:
        covered = headers.get("x-content-sm3", "").lower()
        if alg not in SUITES or not hmac.compare_digest(covered, digest(alg, body)):
            raise _unauthorized("DIGEST_MISMATCH", "X-Content-SM3 与请求体不一致", "X-Content-SM3")
    public_key = await conn.fetchval("SELECT public_key FROM terminals WHERE terminal_id = $1", terminal_id)
    if public_key is None:
        raise _unauthorized("TERMINAL_UNKNOWN", "终端未注册", "X-Terminal-Id")
    try:
        key = load_public_key(public_key)
    except ValueError:
        raise _unauthorized("SIGNATURE_INVALID", "终端登记的公钥无法使用", "X-Signature") from None
    if policy.refusal(alg, key, decode_signature(signature), canonical_string(method, target, timestamp, nonce, covered, alg)) is not None:
        raise _unauthorized("SIGNATURE_INVALID", "签名校验失败", "X-Signature")
    return terminal_id, nonce


async def claim_nonce(conn: asyncpg.Connection, terminal_id: str, nonce: str, now: float, window_s: int = REPLAY_WINDOW_S) -> None:
    """Inside the request's transaction: ApiError(401 NONCE_REPLAYED) when the nonce was used within the window."""
    claimed = await conn.fetchval(
        "INSERT INTO nonces (terminal_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT (terminal_id, nonce) "
        "DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE nonces.expires_at <= $4 RETURNING 1",
        terminal_id, nonce, now + 2 * window_s, now)
    if claimed is None:
        raise _unauthorized("NONCE_REPLAYED", "重复的请求（nonce 已使用）", "X-Nonce")
