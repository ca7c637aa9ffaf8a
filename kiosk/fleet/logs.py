"""A masked log bundle (tar.gz) for upload or a technician's USB stick.

The log files are already masked when written; every line is masked again here (belt and braces:
a line written before a name was registered, or by a misconfigured handler, must not leave the
terminal with personal data in it).
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Iterable
from pathlib import Path

from kiosk.privacy import mask_text

MAX_BYTES_PER_FILE = 8 * 1024 * 1024


def log_files(log_dir: Path) -> list[Path]:
    return sorted(p for p in log_dir.glob("*.jsonl*") if p.is_file()) if log_dir.is_dir() else []


def masked_lines(path: Path, limit: int = MAX_BYTES_PER_FILE) -> bytes:
    """The last ``limit`` bytes of a log, each line re-masked."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - limit))
        data = handle.read()
    text = data.decode("utf-8", errors="replace")
    if size > limit:
        text = text.split("\n", 1)[-1]  # drop the partial first line
    return "\n".join(mask_text(line) for line in text.split("\n")).encode("utf-8")


def build_log_bundle(files: Iterable[Path], extra: dict[str, object] | None = None) -> bytes:
    """tar.gz of the masked files plus ``info.json`` (terminal id, versions …, no PII)."""
    buffer = io.BytesIO()
    now = time.time()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        members: list[tuple[str, bytes]] = [(f"logs/{p.name}", masked_lines(p)) for p in files]
        members.append(("info.json", json.dumps({"created_at": now, **(extra or {})}, ensure_ascii=False, default=str).encode("utf-8")))
        for name, content in members:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = int(now)
            info.mode = 0o640
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()
