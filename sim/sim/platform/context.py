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

from kiosk.platform.trust import PlatformTrust
from kiosk.security.suite import SM2_SM3, SUITES, Policy, SigningKey
from sim.platform.auth import NonceCache
from sim.platform.keys import stored_key, trust_for


@dataclass
class EmulatorState:
    """Everything handlers share: the DB, the nonce store, the platform's keys and the emulator's knobs.

    ``enrollment_codes`` are demo codes: each registers any terminal id not yet bound, once per id; binding an id
    again to another key needs an operator (``sim.platform.terminals.authorize_rebind``)."""

    db: sqlite_utils.Database
    bundles_dir: Path | None = None
    stage_s: float = 60.0
    enrollment_codes: frozenset[str] = frozenset({"DEMO-ENROLL"})
    clock: Callable[[], float] = time.time
    suite: str = SM2_SM3  # what the platform signs its answers and the operations key signs commands with
    policy: Policy = field(default_factory=lambda: Policy(SUITES))  # suites terminals may sign requests with
    command_ttl_s: int = 24 * 3600
    nonces: NonceCache = field(init=False)
    platform_key: SigningKey = field(init=False)
    operations_key: SigningKey = field(init=False)

    def __post_init__(self) -> None:
        self.nonces = NonceCache(self.db)
        self.platform_key = stored_key(self.db, "platform", self.suite)
        self.operations_key = stored_key(self.db, "operations", self.suite)

    def trust(self) -> PlatformTrust:
        return trust_for(self.platform_key, self.operations_key)


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
