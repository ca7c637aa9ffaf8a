"""Session: the unit of privacy. Everything personal a citizen's visit creates belongs to it.

ID data, face frames, scans, signatures, form values and print spool live in the session's memory
and in its private temp dir (0700 under ``<data_dir>/sessions/``). ``wipe()`` overwrites and
removes the files, clears the memory, forgets the names the log filter masks, and writes an audit
record saying what was wiped. ``sweep_orphans()`` does the same at start-up for sessions a crash or
power cut left behind.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.privacy import SensitiveValues
from kiosk.store.audit import AuditTrail

log = logging.getLogger(__name__)


def _shred(path: Path) -> None:
    """Overwrite a file with zeros before unlinking it (best effort on journaling filesystems)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b", buffering=0) as handle:
            handle.write(b"\0" * size)
            os.fsync(handle.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)


def _wipe_dir(directory: Path) -> int:
    count = 0
    if directory.exists():
        for path in sorted(directory.rglob("*"), reverse=True):
            if path.is_file() or path.is_symlink():
                _shred(path)
                count += 1
        shutil.rmtree(directory, ignore_errors=True)
    return count


@dataclass
class Session:
    """One citizen's visit. ``data`` holds in-memory personal data by key (idcard, face, form…)."""

    root: Path
    audit: AuditTrail
    names: SensitiveValues
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: float = field(default_factory=time.time)
    elder_mode: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    wiped: bool = False

    @property
    def directory(self) -> Path:
        path = self.root / self.id
        if not path.exists():
            path.mkdir(parents=True, mode=0o700)
        return path

    def temp_file(self, name: str) -> Path:
        """A path inside the session's private dir: captures, previews and spool files go here."""
        return self.directory / Path(name).name

    def remember_names(self, *names: str) -> None:
        """Names are masked in every log line until the session ends."""
        self.names.add(*names)

    def wipe(self, reason: str) -> dict[str, int]:
        """Remove every trace of the session's personal data; audited. Safe to call twice."""
        if self.wiped:
            return {"files": 0, "values": 0}
        files = _wipe_dir(self.root / self.id)
        values = len(self.data)
        for value in self.data.values():
            if isinstance(value, bytearray):
                value[:] = b"\0" * len(value)
        self.data.clear()
        self.names.clear()
        self.wiped = True
        self.audit.append("terminal", "session.wiped", session=self.id, reason=reason, files=files, values=values,
                          duration_s=round(time.time() - self.started_at, 1))
        log.info("session %s wiped (%s): %d file(s), %d value(s)", self.id[:8], reason, files, values)
        return {"files": files, "values": values}


def sweep_orphans(root: Path, audit: AuditTrail, keep: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Wipe session dirs left by a crash or power cut (except ``keep``); each gets an audit record."""
    swept: list[str] = []
    if not root.exists():
        return swept
    for directory in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in keep):
        files = _wipe_dir(directory)
        audit.append("terminal", "session.wiped", session=directory.name, reason="crash_recovery", files=files, values=0)
        swept.append(directory.name)
    return swept
