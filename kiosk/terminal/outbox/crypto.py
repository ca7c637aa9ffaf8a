"""At-rest sealing of outbox payloads and materials: the terminal's AES-256-GCM ``SealedBox``.

The associated data binds each blob to its entry (and material index), so a blob copied into another
row fails to open instead of being delivered under the wrong application.
"""

from __future__ import annotations

from kiosk.security.sealed import SealedBox, load_or_create_key

load_or_create_seal_key = load_or_create_key


class Sealer:
    """SealedBox with the outbox's string associated data (entry id, ``entry:index`` for materials)."""

    def __init__(self, key: bytes) -> None:
        self._box = SealedBox(key)

    def seal(self, plaintext: bytes, aad: str) -> bytes:
        return self._box.seal(plaintext, aad.encode())

    def open(self, blob: bytes, aad: str) -> bytes:
        return self._box.open(blob, aad.encode())
