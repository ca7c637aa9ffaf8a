"""Files that survive a power cut whole or not at all: write a temp file, fsync it, rename, fsync the directory.

``write_atomic`` is the one way a state file is written. The rename alone is not enough: without the
file's fsync the new name may point at empty blocks after a cut, and without the directory's fsync the
rename itself may be lost. ``write_checked_json`` adds a SHA-256 of the canonical body, so a torn or
bit-rotted file is *detected* (``CorruptStateFile``) instead of being read as a default.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from kiosk.errors import StoreError


class CorruptStateFile(StoreError):
    """A state file exists but is torn, not JSON, or fails its checksum."""


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data``: after a crash at any instant the old or the new content is there, never a mix."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_tree(root: Path) -> None:
    """Every file and directory under ``root`` (an extracted bundle) on disk before it is renamed into place."""
    for directory, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(Path(directory) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(directory))


def _digest(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def write_checked_json(path: Path, body: dict[str, Any]) -> None:
    """``{"data": body, "sha256": …}`` written atomically."""
    write_atomic(path, json.dumps({"data": body, "sha256": _digest(body)}, ensure_ascii=False, sort_keys=True).encode())


def read_checked_json(path: Path, legacy: bool = True) -> dict[str, Any] | None:
    """The body of a file ``write_checked_json`` wrote; None when there is no file.

    Raises ``CorruptStateFile`` when it is torn, not JSON or its checksum differs. With ``legacy`` a plain JSON
    object without checksum (written before checksums existed) is accepted as it is."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptStateFile(f"{path}: unreadable: {exc}") from None
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise CorruptStateFile(f"{path}: torn or not JSON ({len(raw)} bytes): {exc}") from None
    if not isinstance(doc, dict):
        raise CorruptStateFile(f"{path}: not a JSON object")
    if "sha256" not in doc and legacy:
        return doc
    body = doc.get("data")
    if not isinstance(body, dict) or doc.get("sha256") != _digest(body):
        raise CorruptStateFile(f"{path}: checksum mismatch")
    return body
