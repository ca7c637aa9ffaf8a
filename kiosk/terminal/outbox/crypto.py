"""At-rest sealing of outbox payloads and materials: AES-256-GCM with a terminal-local key file (0600).

The associated data binds each blob to its entry (and material index), so a blob copied into another
row fails to open instead of being delivered under the wrong application.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.errors import StoreError

_NONCE = 12


def load_or_create_seal_key(path: str | Path) -> bytes:
    """32 random bytes, created atomically with mode 0600 on first use."""
    path = Path(path)
    if path.exists():
        key = path.read_bytes()
        if len(key) != 32:
            raise StoreError(f"{path}: outbox key must be 32 bytes, found {len(key)}")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = AESGCM.generate_key(bit_length=256)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return key


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, aad: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext, aad.encode())

    def open(self, blob: bytes, aad: str) -> bytes:
        try:
            return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], aad.encode())
        except InvalidTag:
            raise StoreError(f"outbox blob {aad} fails authentication (wrong key or tampered)") from None
