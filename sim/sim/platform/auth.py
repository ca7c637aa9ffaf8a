"""Signature verification with a replay window and a nonce cache: the server half of signing.py."""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import threading
import time

import sqlite_utils
from cryptography.exceptions import InvalidSignature

from kiosk.platform.contract import ApiError
from kiosk.platform.signing import NONCE_PATTERN, REPLAY_WINDOW_S, body_digest, canonical_string, load_public_key

_NONCE_RE = re.compile(NONCE_PATTERN)


class NonceCache:
    """Nonces seen inside the replay window, per terminal; expired ones are purged lazily."""

    def __init__(self, window_s: int = REPLAY_WINDOW_S) -> None:
        self._window = window_s
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def claim(self, terminal_id: str, nonce: str, now: float) -> bool:
        """True the first time a nonce is seen within the window."""
        with self._lock:
            if len(self._seen) > 50_000:
                self._seen = {k: v for k, v in self._seen.items() if v > now}
            key = (terminal_id, nonce)
            expiry = self._seen.get(key)
            if expiry is not None and expiry > now:
                return False
            self._seen[key] = now + 2 * self._window
            return True


def _unauthorized(code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(401, code, message, field)


def verify(db: sqlite_utils.Database, nonces: NonceCache, method: str, target: str, headers: dict[str, str], body: bytes,
           now: float | None = None, window_s: int = REPLAY_WINDOW_S) -> str:
    """Return the authenticated terminal id, or raise ApiError(401)."""
    now = time.time() if now is None else now
    terminal_id = headers.get("x-terminal-id")
    timestamp = headers.get("x-timestamp")
    nonce = headers.get("x-nonce")
    digest = headers.get("x-content-sha256")
    signature = headers.get("x-signature")
    for name, value in (("X-Terminal-Id", terminal_id), ("X-Timestamp", timestamp), ("X-Nonce", nonce), ("X-Content-SHA256", digest), ("X-Signature", signature)):
        if not value:
            raise _unauthorized("SIGNATURE_MISSING", f"请求未签名：缺少 {name}", name)
    assert terminal_id and timestamp and nonce and digest and signature
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise _unauthorized("TIMESTAMP_INVALID", "X-Timestamp 应为 Unix 秒", "X-Timestamp")
    if abs(int(timestamp) - now) > window_s:
        raise _unauthorized("TIMESTAMP_STALE", f"请求时间与平台时间相差超过 {window_s} 秒，请校准终端时钟", "X-Timestamp")
    if not _NONCE_RE.match(nonce):
        raise _unauthorized("NONCE_INVALID", "X-Nonce 格式不正确", "X-Nonce")
    if not hmac.compare_digest(digest.lower(), body_digest(body)):
        raise _unauthorized("DIGEST_MISMATCH", "X-Content-SHA256 与请求体不一致", "X-Content-SHA256")
    found = db.conn.execute("SELECT public_key FROM terminals WHERE terminal_id = ?", (terminal_id,)).fetchone()
    if found is None:
        raise _unauthorized("TERMINAL_UNKNOWN", "终端未注册", "X-Terminal-Id")
    try:
        raw_signature = base64.b64decode(signature, validate=True)
        load_public_key(found[0]).verify(raw_signature, canonical_string(method, target, timestamp, nonce, digest.lower()))
    except (InvalidSignature, binascii.Error, ValueError):
        raise _unauthorized("SIGNATURE_INVALID", "签名校验失败", "X-Signature") from None
    if not nonces.claim(terminal_id, nonce, now):
        raise _unauthorized("NONCE_REPLAYED", "重复的请求（nonce 已使用）", "X-Nonce")
    return terminal_id
