"""The terminal's identity key: created once in the configured suite (SM2 by default), stored as PEM with mode 0600.

A key already on disk keeps its own suite (an Ed25519 terminal stays Ed25519 until re-enrolled with a new key),
because replacing it would lock the terminal out of the platform it is registered with.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.errors import ConfigError
from kiosk.security.keyfile import write_private
from kiosk.security.suite import SM2_SM3, SigningKey, generate, load_private_pem


def load_or_create_key(path: str | Path, suite: str = SM2_SM3) -> SigningKey:
    """Load the key at ``path``; create it (0600, atomically) in ``suite`` when missing."""
    path = Path(path)
    if path.exists():
        try:
            return load_private_pem(path.read_bytes())
        except (ConfigError, OSError) as exc:
            raise ConfigError(f"{path}: not a readable terminal key ({exc})") from None
    write_private(path, generate(suite).to_pem())
    return load_or_create_key(path, suite)  # another process may have won the race: use the key on disk
