"""What every handler gets: the emulator's shared state and one request's context.

Its own module so handlers and the app both import it, and the app imports the handlers at the top
(the app ↔ handlers cycle of old is gone).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from starlette.responses import Response

from sim.platform.auth import NonceCache


@dataclass
class EmulatorState:
    """Everything handlers share: the DB, the nonce cache and the emulator's knobs."""

    db: sqlite_utils.Database
    bundles_dir: Path | None = None
    stage_s: float = 60.0
    enrollment_codes: frozenset[str] = frozenset({"DEMO-ENROLL"})
    nonces: NonceCache = field(default_factory=NonceCache)
    clock: Callable[[], float] = time.time


@dataclass
class Ctx:
    state: EmulatorState
    terminal_id: str
    params: dict[str, Any]
    body: Any
    raw: bytes
    media_type: str
    headers: dict[str, str]
    now: float

    @property
    def db(self) -> sqlite_utils.Database:
        return self.state.db


Handler = Callable[[Ctx], "tuple[int, dict[str, Any]] | Response"]
