"""RFC 6238 time-based one-time passwords (HMAC-SHA1, 30 s steps, 6 digits) with the stdlib only.

The hidden gesture on the attract screen asks for a code from the technician's authenticator app;
the shared secret (base32) is in the terminal config. ``verify`` accepts one step of clock drift
either way and never the same step twice (replay), which the caller enforces via ``last_step``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time

STEP_S = 30


def new_secret() -> str:
    """A fresh 160-bit secret in base32 (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def _key(secret_b32: str) -> bytes:
    cleaned = secret_b32.strip().replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = 6, digest: str = "sha1") -> str:
    """RFC 4226: dynamic truncation of HMAC(key, counter)."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)


def totp(secret_b32: str, at: float | None = None, digits: int = 6, step_s: int = STEP_S, digest: str = "sha1") -> str:
    return hotp(_key(secret_b32), int((time.time() if at is None else at) // step_s), digits, digest)


def verify(secret_b32: str, code: str, at: float | None = None, window: int = 1, last_step: int | None = None) -> int | None:
    """The matching time step, or None. Steps at or before ``last_step`` are refused (no replay)."""
    if not code.isdigit() or len(code) != 6 or not secret_b32:
        return None
    now_step = int((time.time() if at is None else at) // STEP_S)
    key = _key(secret_b32)
    for step in range(now_step - window, now_step + window + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret_b32: str, terminal_id: str) -> str:
    return f"otpauth://totp/YKB-Kiosk:{terminal_id}?secret={secret_b32}&issuer=YKB-Kiosk&digits=6&period={STEP_S}"


def hash_pin(pin: str, salt: bytes | None = None, rounds: int = 200_000) -> str:
    """``pbkdf2-sha256$rounds$salt$hash`` for the config (PINs are never stored in clear)."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN is 4 to 12 digits")
    salt = salt or secrets.token_bytes(16)
    derived = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, rounds)
    return f"pbkdf2-sha256${rounds}${base64.b64encode(salt).decode()}${base64.b64encode(derived).decode()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        scheme, rounds, salt, expected = stored.split("$")
        if scheme != "pbkdf2-sha256":
            return False
        derived = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii", "replace"), base64.b64decode(salt), int(rounds))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(base64.b64encode(derived).decode(), expected)
