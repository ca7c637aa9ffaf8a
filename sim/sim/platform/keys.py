"""The emulator's own keys, kept in its database so a restart keeps them (terminals pin their public halves).

``platform``: signs every answer (the terminal pins it as ``platform.platform_public_key``).
``operations``: signs remote commands (``platform.operations_public_key``); a real fleet keeps it with operations
staff, apart from the API server — the emulator holds both so a demo runs on one machine.
"""

from __future__ import annotations

import sqlite_utils

from kiosk.platform.trust import PlatformTrust
from kiosk.security.suite import SigningKey, generate, load_private_pem


def stored_key(db: sqlite_utils.Database, name: str, suite: str) -> SigningKey:
    db.conn.execute("CREATE TABLE IF NOT EXISTS platform_keys (name TEXT PRIMARY KEY, suite TEXT NOT NULL, pem BLOB NOT NULL)")
    found = db.conn.execute("SELECT pem FROM platform_keys WHERE name = ? AND suite = ?", (name, suite)).fetchone()
    if found is not None:
        return load_private_pem(bytes(found[0]))
    key = generate(suite)
    db.conn.execute("INSERT OR IGNORE INTO platform_keys (name, suite, pem) VALUES (?, ?, ?)", (name, suite, key.to_pem()))
    return stored_key(db, name, suite)  # another thread may have won: use the stored one


def trust_for(platform: SigningKey, operations: SigningKey) -> PlatformTrust:
    """What a terminal pins for this emulator."""
    return PlatformTrust.from_keys(platform.public_b64(), operations.public_b64())
