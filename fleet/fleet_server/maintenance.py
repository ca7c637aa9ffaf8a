"""Housekeeping every worker may run (an advisory lock lets one at a time do it): heartbeat partitions ahead of
time and dropped past retention, expired nonces, old log uploads.

Heartbeat history is partitioned by day so retention is a ``DROP TABLE`` of a partition, not a DELETE of millions of
rows (at 10,000 terminals every 30 s: 28.8 M rows a day).
"""

from __future__ import annotations

import datetime as dt
import logging

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream

from fleet_server import logs
from fleet_server.config import FleetConfig

log = logging.getLogger(__name__)
LOCK_ID = 0x59_4B_42_46  # "YKBF"


def _day(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts, dt.UTC).date()


def _epoch(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()


async def ensure_partitions(conn: asyncpg.Connection, now: float, days_ahead: int = 2) -> None:
    today = _day(now)
    for offset in range(days_ahead + 1):
        day = today + dt.timedelta(days=offset)
        name = f"heartbeats_{day:%Y%m%d}"
        exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", name)
        if not exists:
            # a DEFAULT partition holding rows of that range would block the CREATE: move them first
            async with conn.transaction():
                lo, hi = _epoch(day), _epoch(day + dt.timedelta(days=1))
                await conn.execute(f"CREATE TABLE {name} (LIKE heartbeats INCLUDING DEFAULTS)")
                await conn.execute(f"WITH moved AS (DELETE FROM heartbeats_default WHERE at >= $1 AND at < $2 RETURNING *) "
                                   f"INSERT INTO {name} SELECT * FROM moved", lo, hi)
                await conn.execute(f"ALTER TABLE heartbeats ATTACH PARTITION {name} FOR VALUES FROM ({lo}) TO ({hi})")


async def drop_old_partitions(conn: asyncpg.Connection, now: float, retention_days: float) -> list[str]:
    cutoff = _day(now - retention_days * 86400)
    names = await conn.fetch("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                             "WHERE i.inhparent = 'heartbeats'::regclass AND c.relname ~ '^heartbeats_[0-9]{8}$'")
    dropped = []
    for row in names:
        name = row["relname"]
        day = dt.datetime.strptime(name[-8:], "%Y%m%d").date()
        if day < cutoff:
            await conn.execute(f"DROP TABLE {name}")
            dropped.append(name)
    await conn.execute("DELETE FROM heartbeats_default WHERE at < $1", _epoch(cutoff))
    return dropped


async def run_once(pool: asyncpg.Pool, config: FleetConfig, now: float) -> bool:
    """One housekeeping round, or False when another worker holds the lock."""
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_ID):
            return False
        try:
            await ensure_partitions(conn, now)
            dropped = await drop_old_partitions(conn, now, config.storage.heartbeat_retention_days)
            await conn.execute("DELETE FROM nonces WHERE expires_at <= $1", now)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_ID)
    pruned = await logs.prune(pool, config.storage.log_retention_days, now)
    if dropped or pruned:
        log.info("housekeeping: dropped %s, pruned %d log upload(s)", dropped, pruned)
    return True
