"""Which configuration version one terminal should run, from the ``current.json`` pointer of a bundle directory.

    {"version": "7", "bundle": "items-v7.zip",
     "rollout": {"percent": 10, "previous": {"version": "6", "bundle": "items-v6.zip"}}}

A terminal is in the canary when its bucket — a hash of (version, terminal id) into [0, 100) — is
below ``percent``. The bucket is fixed per version, so raising the percentage only adds terminals
(a canary terminal never flips back), and each new version draws a different canary set. The
function is pure so the emulator, a real platform or a terminal reading a static server agree.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

POINTER = "current.json"


def bucket(terminal_id: str, version: str) -> float:
    digest = hashlib.sha256(f"{version}:{terminal_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 10000 / 100.0


def choose(pointer: dict[str, Any], terminal_id: str) -> dict[str, Any] | None:
    """``{"version", "bundle"}`` for this terminal, or None when it should stay on its built-in config."""
    version = str(pointer.get("version", "0"))
    target = {"version": version, "bundle": pointer.get("bundle")}
    plan = pointer.get("rollout")
    if not isinstance(plan, dict):
        return target
    try:
        percent = float(plan.get("percent", 100))
    except (TypeError, ValueError):
        percent = 100.0
    if bucket(terminal_id, version) < percent:
        return target
    previous = plan.get("previous")
    return {"version": str(previous["version"]), "bundle": previous["bundle"]} if isinstance(previous, dict) else None


def write_pointer(directory: Path, pointer: dict[str, Any]) -> None:
    """Atomic replace, so a web server never serves half a pointer."""
    tmp = directory / f".{POINTER}.tmp"
    tmp.write_text(json.dumps(pointer, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, directory / POINTER)
