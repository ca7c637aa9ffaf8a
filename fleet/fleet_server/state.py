"""What every request handler of one worker shares: the config, the PostgreSQL pool, the keys, the suite policy.

Nothing here outlives a worker or differs between workers except the pool and a 2-second cache of the active
rollout: all state is in PostgreSQL, so any worker (or host) answers any terminal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream

from fleet_server.config import FleetConfig
from fleet_server.contract import KeyFormatError, Policy, SigningKey, load_private_pem
from fleet_server.errors import FleetConfigError


def read_key(path: str) -> SigningKey:
    try:
        return load_private_pem(Path(path).read_bytes())
    except (OSError, KeyFormatError) as exc:
        raise FleetConfigError(f"key file {path}: {exc}") from None


@dataclass
class FleetState:
    config: FleetConfig
    pool: asyncpg.Pool
    platform_key: SigningKey
    operations_key: SigningKey
    policy: Policy
    clock: Any = time.time
    _rollout: tuple[float, dict[str, Any] | None] = field(default=(0.0, None))

    async def active_rollout(self) -> dict[str, Any] | None:
        """The newest active or paused rollout with its bundles' digests (cached 2 s per worker)."""
        now = time.monotonic()
        if now - self._rollout[0] < 2.0:
            return self._rollout[1]
        row = await self.pool.fetchrow(
            "SELECT r.version, r.bundle, r.percent, r.previous_version, r.previous_bundle, b.sha256, b.size, "
            "p.sha256 AS previous_sha256, p.size AS previous_size FROM rollouts r JOIN bundles b ON b.name = r.bundle "
            "LEFT JOIN bundles p ON p.name = r.previous_bundle WHERE r.kind = 'config' AND r.state IN ('active', 'paused') "
            "ORDER BY r.id DESC LIMIT 1")
        value = dict(row) if row is not None else None
        self._rollout = (now, value)
        return value

    def forget_rollout(self) -> None:
        self._rollout = (0.0, None)
