"""Writing secrets to disk: atomically, mode 0600 from the first byte, first writer wins."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data`` (0600, fsynced); if another process got there first, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(partial, path)  # fails if the file exists: never replace a key something already uses
    except FileExistsError:
        pass
    finally:
        partial.unlink()


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's bytes, creating it with ``make()`` on first use."""
    if not path.exists():
        write_private(path, make())
    return path.read_bytes()
