"""The XFS4IoT service's access token: one per start, in a file only the kiosk's user (and root) can read.

Why a token on a localhost-only socket: any local process (a browser tab's page, a compromised helper)
can reach 127.0.0.1; the token limits the service to whoever can read the data directory's token file,
or knows the configured token. Clients send it as ``Authorization: Bearer <token>`` or ``?token=``.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

TOKEN_FILE = "xfs.token"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def write_token(data_dir: Path, token: str) -> Path:
    """Write ``token`` to ``<data_dir>/xfs.token`` with mode 0600 (replaced, never widened)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / TOKEN_FILE
    temp = path.with_suffix(".tmp")
    temp.unlink(missing_ok=True)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    os.replace(temp, path)
    return path


def token_matches(expected: str, offered: str | None) -> bool:
    return bool(offered) and hmac.compare_digest(expected.encode(), (offered or "").encode())
