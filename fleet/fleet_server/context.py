"""One request as a handler sees it: the worker's state, the authenticated terminal, typed parameters and body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream

from fleet_server.state import FleetState


@dataclass
class Request:
    state: FleetState
    terminal_id: str
    nonce: str  # claimed by the handler inside its transaction (auth.claim_nonce); "" for unsigned operations
    params: dict[str, Any]
    body: Any
    raw: bytes
    now: float


async def claim(conn: asyncpg.Connection, req: Request) -> None:
    from fleet_server.auth import claim_nonce

    if req.nonce:
        await claim_nonce(conn, req.terminal_id, req.nonce, req.now)
