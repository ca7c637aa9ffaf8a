"""Uploaded terminal logs: files under ``storage.logs_dir/<terminal>/<sha256>.tar.gz``, catalogued in PostgreSQL.

Never in the database (a 10 MiB bundle per terminal would bloat every backup and vacuum); content-addressed, so a
repeated upload is the same file. ``prune`` deletes files and rows past the retention.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream

from fleet_server.context import Request, claim
from fleet_server.contract import ApiError


def _write(directory: Path, name: str, data: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if not target.exists():
        tmp = directory / f".{name}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    return target


async def upload_logs(req: Request) -> tuple[int, dict[str, Any]]:
    digest = hashlib.sha256(req.raw).hexdigest()
    if digest != req.params["sha256"]:
        raise ApiError(422, "DIGEST_MISMATCH", "日志包内容与路径中的摘要不一致", "sha256")
    if not req.raw.startswith(b"\x1f\x8b"):
        raise ApiError(422, "NOT_GZIP", "日志包应为 gzip 压缩的 tar", None)
    directory = Path(req.state.config.storage.logs_dir) / req.terminal_id
    path = await asyncio.to_thread(_write, directory, f"{digest}.tar.gz", req.raw)
    async with req.state.pool.acquire() as conn, conn.transaction():
        await claim(conn, req)
        await conn.execute("INSERT INTO log_uploads (terminal_id, sha256, size, path, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                           req.terminal_id, digest, len(req.raw), str(path), req.now)
    return 201, {"sha256": digest, "size": len(req.raw)}


async def prune(pool: asyncpg.Pool, retention_days: float, now: float) -> int:
    """Delete uploads older than the retention (file first, then row); returns how many."""
    old = await pool.fetch("SELECT terminal_id, sha256, path FROM log_uploads WHERE at < $1", now - retention_days * 86400)
    for row in old:
        Path(row["path"]).unlink(missing_ok=True)
        await pool.execute("DELETE FROM log_uploads WHERE terminal_id = $1 AND sha256 = $2", row["terminal_id"], row["sha256"])
    return len(old)
