"""Writing secrets to disk: atomically, mode 0600 from the first byte, first writer wins."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data`` (0600, fsynced); if another process got there first, keep theirs.

    The directory is fsynced too: without it a power cut may keep the content but lose the name, and the outbox key
    made with the first application would be gone while the application it sealed is not (tests/powercut/test_keys.py)."""
    created = not path.parent.exists()
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
    _fsync_dir(path.parent)
    if created:  # the keys directory's own name
        _fsync_dir(path.parent.parent)


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's bytes, creating it with ``make()`` on first use."""
    if not path.exists():
        write_private(path, make())
    return path.read_bytes()
