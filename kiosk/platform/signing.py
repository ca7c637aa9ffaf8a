"""Request signing shared by the client and the emulator, so both build the same canonical string.

Every signed request carries ``X-Terminal-Id``, ``X-Timestamp`` (Unix seconds), ``X-Nonce``
(16–64 chars of ``[A-Za-z0-9_-]``), ``X-Content-SHA256`` (hex digest of the exact body bytes, of
the empty string for no body) and ``X-Signature`` (base64 Ed25519 signature) over::

    METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n BODY_SHA256

where PATH is the request target as sent: path plus ``?query`` when there is one.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

REPLAY_WINDOW_S = 300
NONCE_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
SIGNED_HEADERS = ("X-Terminal-Id", "X-Timestamp", "X-Nonce", "X-Content-SHA256", "X-Signature")


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_string(method: str, target: str, timestamp: str, nonce: str, digest: str) -> bytes:
    return "\n".join((method.upper(), target, timestamp, nonce, digest)).encode("utf-8")


def sign_headers(
    key: Ed25519PrivateKey,
    terminal_id: str,
    method: str,
    target: str,
    body: bytes,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The five signature headers for one request."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_urlsafe(18)
    digest = body_digest(body)
    signature = key.sign(canonical_string(method, target, timestamp, nonce, digest))
    return {
        "X-Terminal-Id": terminal_id,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Content-SHA256": digest,
        "X-Signature": base64.b64encode(signature).decode("ascii"),
    }


def public_key_b64(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def load_public_key(b64: str) -> Ed25519PublicKey:
    """Raises ValueError on anything but 32 raw bytes in base64."""
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 32:
        raise ValueError("Ed25519 public key must be 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)
