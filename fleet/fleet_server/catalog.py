"""The bundle and release catalogue and the configuration rollouts, in PostgreSQL; the files stay static.

Bundles sign themselves, so nginx (or any CDN) serves the files in ``storage.bundles_dir``. The server keeps the
catalogue (name, version, digest, size) and the rollouts, answers ``/v1/config/current`` from them with the same
canary choice as the terminal (kiosk.platform.rollout via fleet_server.contract), and rewrites ``current.json``
beside the files on every rollout change, so terminals fed from the static server alone roll out identically.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream

from fleet_server.context import Request
from fleet_server.contract import choose
from fleet_server.state import FleetState

POINTER = "current.json"
EMPTY = {"version": "0", "bundle": None, "url": None, "sha256": None, "size": None}


def _pointer(rollout: dict[str, Any] | None) -> dict[str, Any] | None:
    if rollout is None:
        return None
    pointer: dict[str, Any] = {"version": rollout["version"], "bundle": rollout["bundle"]}
    if rollout["percent"] < 100:
        previous = {"version": rollout["previous_version"], "bundle": rollout["previous_bundle"]} if rollout["previous_bundle"] else None
        pointer["rollout"] = {"percent": rollout["percent"], "previous": previous}
    return pointer


async def config_for(state: FleetState, terminal_id: str) -> dict[str, Any]:
    rollout = await state.active_rollout()
    pointer = _pointer(rollout)
    chosen = choose(pointer, terminal_id) if pointer else None
    if chosen is None or rollout is None:
        return dict(EMPTY)
    name = chosen["bundle"]
    previous = name != rollout["bundle"]
    return {"version": chosen["version"], "bundle": name, "url": f"/bundles/{name}",
            "sha256": rollout["previous_sha256" if previous else "sha256"], "size": rollout["previous_size" if previous else "size"]}


async def current_config(req: Request) -> tuple[int, dict[str, Any]]:
    return 200, await config_for(req.state, req.terminal_id)


async def add_bundle(pool: asyncpg.Pool, bundles_dir: Path, path: Path, version: str, now: float, kind: str = "config") -> str:
    """Copy a signed bundle (or a release) into the static directory and list it; returns its name."""
    data = path.read_bytes()
    target = bundles_dir / path.name
    if not target.exists() or target.read_bytes() != data:
        tmp = bundles_dir / f".{path.name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)
    await pool.execute("INSERT INTO bundles (name, kind, version, sha256, size, added_at) VALUES ($1, $2, $3, $4, $5, $6) "
                       "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, sha256 = EXCLUDED.sha256, size = EXCLUDED.size",
                       path.name, kind, version, hashlib.sha256(data).hexdigest(), len(data), now)
    return path.name


async def write_pointer(pool: asyncpg.Pool, bundles_dir: Path) -> dict[str, Any] | None:
    """current.json for the static server, from the active rollout (atomic replace; removed when there is none)."""
    row = await pool.fetchrow("SELECT version, bundle, percent, previous_version, previous_bundle FROM rollouts "
                              "WHERE kind = 'config' AND state IN ('active', 'paused') ORDER BY id DESC LIMIT 1")
    pointer = _pointer(dict(row)) if row is not None else None
    if pointer is None:
        (bundles_dir / POINTER).unlink(missing_ok=True)
        return None
    tmp = bundles_dir / f".{POINTER}.tmp"
    tmp.write_text(json.dumps(pointer, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, bundles_dir / POINTER)
    return pointer


async def start_rollout(pool: asyncpg.Pool, bundles_dir: Path, bundle: str, percent: float, by: str, now: float) -> int:
    """Roll ``bundle`` out to ``percent`` % of terminals; the rest stay on the version the last rollout targeted."""
    async with pool.acquire() as conn, conn.transaction():
        version = await conn.fetchval("SELECT version FROM bundles WHERE name = $1 AND kind = 'config'", bundle)
        if version is None:
            raise KeyError(bundle)
        last = await conn.fetchrow("SELECT id, version, bundle FROM rollouts WHERE kind = 'config' AND state IN ('active', 'paused') "
                                   "ORDER BY id DESC LIMIT 1 FOR UPDATE")
        if last is not None:
            await conn.execute("UPDATE rollouts SET state = 'superseded' WHERE id = $1", last["id"])
        rollout_id: int = await conn.fetchval(
            "INSERT INTO rollouts (version, bundle, percent, previous_version, previous_bundle, state, created_by, created_at) "
            "VALUES ($1, $2, $3, $4, $5, 'active', $6, $7) RETURNING id", version, bundle, percent,
            last["version"] if last else None, last["bundle"] if last else None, by, now)
    await write_pointer(pool, bundles_dir)
    return rollout_id


async def set_percent(pool: asyncpg.Pool, bundles_dir: Path, percent: float) -> None:
    """Widen (or narrow) the active rollout's canary: the bucket per terminal is fixed, so widening only adds terminals."""
    await pool.execute("UPDATE rollouts SET percent = $1 WHERE id = (SELECT id FROM rollouts WHERE kind = 'config' "
                       "AND state IN ('active', 'paused') ORDER BY id DESC LIMIT 1)", percent)
    await write_pointer(pool, bundles_dir)
