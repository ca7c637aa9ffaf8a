"""The terminal's Ed25519 identity key: created once, stored as PEM with mode 0600."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key

from kiosk.errors import ConfigError
from kiosk.security.keyfile import write_private


def load_or_create_key(path: str | Path) -> Ed25519PrivateKey:
    """Load the key at ``path``; create it (0600, atomically) when missing."""
    path = Path(path)
    if path.exists():
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError, OSError) as exc:
            raise ConfigError(f"{path}: not a readable PEM private key ({exc})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError(f"{path}: the terminal key must be Ed25519")
        return key
    write_private(path, Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return load_or_create_key(path)  # another process may have won the race: use the key on disk
