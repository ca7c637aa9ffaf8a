"""SealedBox: authenticated encryption for personal data that must touch the disk (flow checkpoints, outbox, spool).

New seals use SM4-GCM (GB/T 32907, the 国密 block cipher; ``cryptography``'s OpenSSL gives it) under a 128-bit
key derived from the terminal's 32-byte key file with HMAC-SM3, tagged ``SM4G\\x01`` so the algorithm is named in
every blob. Blobs sealed before 国密 (AES-256-GCM with the key file itself, no tag) still open, so an upgrade never
strands a sealed row; the ``ed25519`` suite keeps sealing that way for terminals not yet moved to 国密.

The key is a random 32-byte file created 0600 on first use; a stolen SQLite file without it reveals nothing.
Associated data binds a ciphertext to its row (e.g. the session id), so a sealed blob copied onto another row
fails to open.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.errors import StoreError
from kiosk.security.keyfile import read_or_create
from kiosk.security.suite import SM2_SM3, check_suite, mac

NONCE_BYTES = 12
TAG_BYTES = 16
SM4_MAGIC = b"SM4G\x01"


def load_or_create_key(path: str | Path) -> bytes:
    """Read the 32-byte key at ``path``, creating it (0600, atomically) if absent."""
    path = Path(path)
    key = read_or_create(path, lambda: AESGCM.generate_key(bit_length=256))
    if len(key) != 32:
        raise StoreError(f"{path}: key must be 32 bytes, found {len(key)}")
    return key


def sm4_gcm_seal(key: bytes, nonce: bytes, plaintext: bytes, associated: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return body + encryptor.tag


def sm4_gcm_open(key: bytes, nonce: bytes, sealed: bytes, associated: bytes) -> bytes:
    """Raises InvalidTag when the blob or its associated data was altered (or the key is another's)."""
    if len(sealed) < TAG_BYTES:
        raise InvalidTag()
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(associated)
    return decryptor.update(sealed[:-TAG_BYTES]) + decryptor.finalize()


class SealedBox:
    def __init__(self, key: bytes, suite: str = SM2_SM3) -> None:
        self.suite = check_suite(suite)
        self._aead = AESGCM(key)
        self._sm4 = mac(SM2_SM3, key, b"kiosk sealed-box SM4-GCM key")[:16]

    @classmethod
    def from_file(cls, path: Path, suite: str = SM2_SM3) -> SealedBox:
        return cls(load_or_create_key(path), suite)

    def seal(self, plaintext: bytes, associated: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        if self.suite == SM2_SM3:
            return SM4_MAGIC + nonce + sm4_gcm_seal(self._sm4, nonce, plaintext, associated)
        return nonce + self._aead.encrypt(nonce, plaintext, associated)

    def open(self, sealed: bytes, associated: bytes = b"") -> bytes:
        if sealed.startswith(SM4_MAGIC):
            body = sealed[len(SM4_MAGIC):]
            try:
                return sm4_gcm_open(self._sm4, body[:NONCE_BYTES], body[NONCE_BYTES:], associated)
            except InvalidTag:
                pass  # 2^-40: a legacy AES blob whose random nonce began with the tag; try it as one below
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
        except InvalidTag:
            raise StoreError("sealed data does not open with this terminal's key (tampered or foreign)") from None
