"""SealedBox: AES-256-GCM for personal data that must touch the disk (flow checkpoints, spool).

The key is a random 32-byte file created 0600 on first use in the data dir; a stolen SQLite file
without it reveals nothing. Associated data binds a ciphertext to its row (e.g. the session id),
so a sealed blob copied onto another row fails to open.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.errors import StoreError
from kiosk.security.keyfile import read_or_create

NONCE_BYTES = 12


def load_or_create_key(path: str | Path) -> bytes:
    """Read the 32-byte key at ``path``, creating it (0600, atomically) if absent."""
    path = Path(path)
    key = read_or_create(path, lambda: AESGCM.generate_key(bit_length=256))
    if len(key) != 32:
        raise StoreError(f"{path}: key must be 32 bytes, found {len(key)}")
    return key


class SealedBox:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    @classmethod
    def from_file(cls, path: Path) -> SealedBox:
        return cls(load_or_create_key(path))

    def seal(self, plaintext: bytes, associated: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated)

    def open(self, sealed: bytes, associated: bytes = b"") -> bytes:
        from cryptography.exceptions import InvalidTag

        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
        except InvalidTag:
            raise StoreError("sealed data does not open with this terminal's key (tampered or foreign)") from None
