"""Where a terminal's keys live: ``<data_dir>/keys/``, 0700, apart from the stores they seal or MAC.

A key next to the database it protects is no protection: whoever copies the data dir (a backup, a disk sent
for repair, a technician's USB export) has both. So every key and the audit trail's anchors go in their own
directory, mode 0700 (the service user alone; root when run by root), which backups and log exports leave out
and a systemd ``LoadCredential=`` or a TPM-sealed file can replace later. Keys written by older versions next
to the database are moved there once (a rename: the same key, never a new one).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

KEYS_DIRNAME = "keys"


def keys_dir(data_dir: Path) -> Path:
    """``data_dir/keys``, created 0700 (and tightened to 0700 if it was looser)."""
    directory = Path(data_dir) / KEYS_DIRNAME
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if directory.stat().st_mode & 0o077:
        os.chmod(directory, 0o700)
    return directory


def key_path(data_dir: Path, name: str) -> Path:
    """The path of key ``name`` in the keys directory; a key of that name left in ``data_dir`` itself by an older
    version is moved there first (never copied: one key, one place)."""
    target = keys_dir(data_dir) / name
    legacy = Path(data_dir) / name
    if legacy.exists() and not target.exists():
        os.replace(legacy, target)
        log.warning("key %s moved from the data dir to %s (a key beside what it seals protects nothing)", name, target.parent)
    return target
