"""FlowMachine: the one place a flow changes state. It logs, persists a sealed checkpoint, notifies.

Checkpoints hold what is needed to resume (answers, form values, material references, the outbox
id); they contain personal data, so they are sealed with the terminal key and bound to the session
id. A final state deletes the checkpoint. ``unfinished()`` lists what a crash left behind.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.errors import FlowError, StoreError
from kiosk.flows.states import FINAL, FlowState, allowed
from kiosk.security.sealed import SealedBox
from kiosk.store.database import Store

log = logging.getLogger(__name__)
Listener = Callable[[FlowState, FlowState, str], None]


@dataclass(frozen=True)
class Checkpoint:
    session_id: str
    state: FlowState
    item_code: str
    payload: dict[str, Any]
    updated_at: float


class FlowMachine:
    def __init__(self, session_id: str, item_code: str, store: Store, box: SealedBox,
                 state: FlowState = FlowState.IDENTIFY, listener: Listener | None = None) -> None:
        self.session_id = session_id
        self.item_code = item_code
        self.store = store
        self.box = box
        self.state = state
        self.listener = listener
        self.history: list[tuple[float, FlowState, str]] = [(time.time(), state, "start")]

    def transition(self, target: FlowState, reason: str, payload: dict[str, Any]) -> None:
        """Move to ``target``: refuse what the table forbids, log, checkpoint, then tell the listener."""
        source = self.state
        if not allowed(source, target):
            raise FlowError(f"flow {self.item_code}: {source.value} → {target.value} is not allowed ({reason})")
        self.state = target
        self.history.append((time.time(), target, reason))
        log.info("flow %s session %s: %s → %s (%s)", self.item_code, self.session_id[:8], source.value, target.value, reason)
        if target in FINAL:
            self.discard()
        else:
            self.checkpoint(payload)
        if self.listener is not None:
            self.listener(source, target, reason)

    def checkpoint(self, payload: dict[str, Any]) -> None:
        blob = self.box.seal(json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"), self.session_id.encode())
        self.store.db().execute(
            "INSERT OR REPLACE INTO checkpoints (session_id, state, item_code, payload, updated_at) VALUES (?, ?, ?, ?, ?)",
            [self.session_id, self.state.value, self.item_code, blob, time.time()],
        )

    def discard(self) -> None:
        self.store.db().execute("DELETE FROM checkpoints WHERE session_id = ?", [self.session_id])

    @staticmethod
    def unfinished(store: Store, box: SealedBox) -> list[Checkpoint]:
        """What a crash left behind. A checkpoint that cannot be opened (foreign key, tampered, an
        unknown state) is logged and dropped: it can never be resumed, it must not stop start-up,
        and an accepted application is safe in the outbox, which is the source of truth for delivery."""
        rows = store.db().execute("SELECT session_id, state, item_code, payload, updated_at FROM checkpoints ORDER BY updated_at").fetchall()
        result = []
        for session_id, state, item_code, blob, updated_at in rows:
            try:
                payload = json.loads(box.open(blob, session_id.encode()).decode("utf-8"))
                result.append(Checkpoint(session_id, FlowState(state), item_code, payload, updated_at))
            except (StoreError, ValueError) as exc:
                log.error("checkpoint of session %s (%s, %s) dropped: %s", session_id[:8], item_code, state, exc)
                store.db().execute("DELETE FROM checkpoints WHERE session_id = ?", [session_id])
        return result
