"""A compiled rime dir of another key is kept while a process may still run on it (a kiosk during a bundle's
catalog compile, another checkout's tests); only old ones are pruned."""

from __future__ import annotations

import os
import time
from pathlib import Path

from kiosk.ime import rime_data


def test_recent_dirs_of_other_keys_survive_old_ones_go(tmp_path: Path) -> None:
    target, recent, old = (tmp_path / f"ime-rime-{k}" for k in ("new", "recent", "old"))
    for path in (target, recent, old):
        (path / "build").mkdir(parents=True)
    long_ago = time.time() - rime_data.STALE_AFTER_S - 60
    os.utime(old, (long_ago, long_ago))
    rime_data._prune_stale(tmp_path, target)
    assert target.is_dir() and recent.is_dir() and not old.exists()
