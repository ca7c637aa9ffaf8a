"""Signature verification with a replay window and a nonce store: the server half of kiosk.platform.signing.

Nonces are kept in the emulator's database (``nonces`` table), so a request replayed after a platform restart is
still refused. The suite a request names (``X-Signature-Alg``) must be accepted by the platform and be the suite of
the key the terminal registered: an SM2 terminal's requests cannot be downgraded to Ed25519.
"""

from __future__ import annotations

import hmac
import re
import threading
import time

import sqlite_utils

from kiosk.platform.contract import ApiError
from kiosk.platform.signing import NONCE_PATTERN, REPLAY_WINDOW_S, body_digest, canonical_string, decode_signature, load_public_key
from kiosk.security.suite import ED25519, SUITES, Policy, digest

_NONCE_RE = re.compile(NONCE_PATTERN)


class NonceCache:
    """Nonces seen inside the replay window, per terminal, in the DB; expired ones are purged now and then."""

    def __init__(self, db: sqlite_utils.Database, window_s: int = REPLAY_WINDOW_S) -> None:
        self._db = db
        self._window = window_s
        self._lock = threading.Lock()
        self._claims = 0
        db.conn.execute("CREATE TABLE IF NOT EXISTS nonces (terminal_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at REAL NOT NULL, "
                        "PRIMARY KEY (terminal_id, nonce))")

    def claim(self, terminal_id: str, nonce: str, now: float) -> bool:
        """True the first time a nonce is seen within the window (also across restarts)."""
        with self._lock:
            self._claims += 1
            if self._claims % 1000 == 0:
                self._db.conn.execute("DELETE FROM nonces WHERE expires_at <= ?", (now,))
            found = self._db.conn.execute("SELECT expires_at FROM nonces WHERE terminal_id = ? AND nonce = ?", (terminal_id, nonce)).fetchone()
            if found is not None and found[0] > now:
                return False
            self._db.conn.execute("INSERT OR REPLACE INTO nonces (terminal_id, nonce, expires_at) VALUES (?, ?, ?)",
                                  (terminal_id, nonce, now + 2 * self._window))
            return True


def _unauthorized(code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(401, code, message, field)


def verify(db: sqlite_utils.Database, nonces: NonceCache, method: str, target: str, headers: dict[str, str], body: bytes,
           now: float | None = None, window_s: int = REPLAY_WINDOW_S, policy: Policy = Policy(SUITES)) -> str:
    """Return the authenticated terminal id, or raise ApiError(401)."""
    now = time.time() if now is None else now
    terminal_id = headers.get("x-terminal-id")
    timestamp = headers.get("x-timestamp")
    nonce = headers.get("x-nonce")
    sha256 = headers.get("x-content-sha256")
    signature = headers.get("x-signature")
    alg = headers.get("x-signature-alg", ED25519)
    for name, value in (("X-Terminal-Id", terminal_id), ("X-Timestamp", timestamp), ("X-Nonce", nonce), ("X-Content-SHA256", sha256), ("X-Signature", signature)):
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
    found = db.conn.execute("SELECT public_key FROM terminals WHERE terminal_id = ?", (terminal_id,)).fetchone()
    if found is None:
        raise _unauthorized("TERMINAL_UNKNOWN", "终端未注册", "X-Terminal-Id")
    try:
        key = load_public_key(found[0])
    except ValueError:
        raise _unauthorized("SIGNATURE_INVALID", "终端登记的公钥无法使用", "X-Signature") from None
    refusal = policy.refusal(alg, key, decode_signature(signature), canonical_string(method, target, timestamp, nonce, covered, alg))
    if refusal is not None:
        raise _unauthorized("SIGNATURE_INVALID", "签名校验失败", "X-Signature")
    if not nonces.claim(terminal_id, nonce, now):
        raise _unauthorized("NONCE_REPLAYED", "重复的请求（nonce 已使用）", "X-Nonce")
    return terminal_id
