"""Request, response and command signing shared by the terminal, the emulator and fleet servers (one canonical form).

Requests carry ``X-Terminal-Id``, ``X-Timestamp`` (Unix seconds), ``X-Nonce`` (16–64 chars of ``[A-Za-z0-9_-]``),
``X-Content-SHA256`` (hex SHA-256 of the exact body bytes) and ``X-Signature`` (base64) over::

    ed25519:  METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n BODY_SHA256
    SM2-SM3:  METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n BODY_SM3 \\n SM2-SM3     (+ X-Signature-Alg, X-Content-SM3)

where PATH is the request target as sent (path plus ``?query``). The suite is in the canonical string, so an
envelope's ``alg`` cannot be swapped under its signature.

Responses are signed by the platform (every answer, errors included) over the request's own nonce, so a recorded
answer replayed to a later request, or an answer to another request, does not verify; ``X-Platform-Time`` is the
platform's clock under that signature, which the terminal resyncs from. Commands are signed by the operations key
over their canonical JSON (``command_bytes``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
from typing import Any

from kiosk.security.suite import ED25519, SM2_SM3, SigningKey, VerifyKey, as_signing_key, digest, key_id, load_public

REPLAY_WINDOW_S = 300
NONCE_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
SIGNED_HEADERS = ("X-Terminal-Id", "X-Timestamp", "X-Nonce", "X-Content-SHA256", "X-Signature")
RESPONSE_HEADERS = ("X-Platform-Alg", "X-Platform-Time", "X-Platform-Key-Id", "X-Platform-Signature")
#: Fields of a command covered by the operations signature (``key_id`` and ``signature`` are the envelope).
COMMAND_FIELDS = ("alg", "args", "command_id", "counter", "expires_at", "issued_at", "terminal_id", "type")


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_string(method: str, target: str, timestamp: str, nonce: str, digest_hex: str, alg: str = ED25519) -> bytes:
    parts = [method.upper(), target, timestamp, nonce, digest_hex]
    if alg != ED25519:
        parts.append(alg)
    return "\n".join(parts).encode("utf-8")


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def sign_headers(key: Any, terminal_id: str, method: str, target: str, body: bytes, now: float | None = None,
                 nonce: str | None = None) -> dict[str, str]:
    """The signature headers for one request; ``key`` is a suite key (or a bare Ed25519 key)."""
    signer: SigningKey = as_signing_key(key)
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or new_nonce()
    sha256 = body_digest(body)
    headers = {"X-Terminal-Id": terminal_id, "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Content-SHA256": sha256}
    covered = sha256
    if signer.suite != ED25519:
        covered = digest(signer.suite, body)
        headers["X-Signature-Alg"] = signer.suite
        headers["X-Content-SM3"] = covered
    signature = signer.sign(canonical_string(method, target, timestamp, nonce, covered, signer.suite))
    headers["X-Signature"] = base64.b64encode(signature).decode("ascii")
    return headers


def response_string(alg: str, status: int, method: str, target: str, nonce: str, timestamp: str, body: bytes) -> bytes:
    return "\n".join(("RESPONSE", alg, str(status), method.upper(), target, nonce, timestamp, digest(alg, body))).encode("utf-8")


def sign_response(key: SigningKey, status: int, method: str, target: str, nonce: str, body: bytes, now: float) -> dict[str, str]:
    """The platform's headers for one answer."""
    timestamp = str(int(now))
    signature = key.sign(response_string(key.suite, status, method, target, nonce, timestamp, body))
    return {"X-Platform-Alg": key.suite, "X-Platform-Time": timestamp, "X-Platform-Key-Id": key_id(key.public_b64()),
            "X-Platform-Signature": base64.b64encode(signature).decode("ascii")}


def decode_signature(text: str) -> bytes:
    """The raw signature, or b"" when it is not base64 (which then fails verification like any bad signature)."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


def command_bytes(command: dict[str, Any]) -> bytes:
    """What the operations key signs: the covered fields, canonical JSON (sorted keys, compact, UTF-8)."""
    covered = {k: command.get(k) for k in COMMAND_FIELDS}
    return json.dumps(covered, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_command(key: SigningKey, command: dict[str, Any]) -> dict[str, Any]:
    """``command`` with alg, key_id and signature (it must already carry terminal_id, counter, expires_at)."""
    signed = {**command, "alg": key.suite}
    signed["key_id"] = key_id(key.public_b64())
    signed["signature"] = base64.b64encode(key.sign(command_bytes(signed))).decode("ascii")
    return signed


def public_key_b64(key: Any) -> str:
    return as_signing_key(key).public_b64()


def load_public_key(b64: str) -> VerifyKey:
    """A public key of any accepted suite; ValueError on anything else."""
    return load_public(b64)


__all__ = ["COMMAND_FIELDS", "ED25519", "NONCE_PATTERN", "REPLAY_WINDOW_S", "RESPONSE_HEADERS", "SIGNED_HEADERS", "SM2_SM3", "body_digest",
           "canonical_string", "command_bytes", "decode_signature", "load_public_key", "new_nonce", "public_key_b64", "response_string",
           "sign_command", "sign_headers", "sign_response"]
