"""At-rest sealing of outbox payloads and materials: the terminal's AES-256-GCM ``SealedBox``.

The associated data binds each blob to its entry (and material index), so a blob copied into another
row fails to open instead of being delivered under the wrong application.

The key is never generated over sealed rows: ``open_seal_key`` creates ``outbox.key`` only when no
sealed row exists; a missing key (or one that does not open the rows) leaves the outbox unavailable
until the backed-up key is put back, because a fresh key would turn every pending application into
unreadable bytes.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.errors import StoreError
from kiosk.security.keyfile import write_private
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


def read_key(path: Path) -> bytes | None:
    """The 32-byte key at ``path``; None when absent. A file of another size is a wrong key (StoreError)."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(key) != 32:
        raise StoreError(f"{path}: key must be 32 bytes, found {len(key)}")
    return key


def opens(key: bytes, sample: tuple[str, bytes] | None) -> bool:
    """Does ``key`` open the sealed payload ``sample`` (entry id, blob)? True when there is nothing to open."""
    if sample is None:
        return True
    try:
        Sealer(key).open(sample[1], sample[0])
    except StoreError:
        return False
    return True


def install_key(path: Path, key: bytes) -> None:
    """Put a (restored) key in place: 0600, fsynced, replacing whatever wrong key is there."""
    if path.exists():
        path.unlink()
    write_private(path, key)
