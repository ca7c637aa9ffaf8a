"""Crash and power-cut recovery: resume or cleanly close every unfinished application, then wipe.

Rules: before acceptance (identify … confirm) the application is closed — nothing was promised.
SUBMITTING is decided by the outbox: entries the record names, plus at most one entry created after
``submit_started_at`` that no record names (the crash fell between enqueue and checkpoint); any
member still missing is enqueued from the record, so the application is never lost and no member
is enqueued twice. After acceptance the receipt is printed if it was not, and the flow is done.
Every recovered session's temp dir is then wiped with an audit record; other orphans are swept.

"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from kiosk.flows.itemflow import ItemFlow
from kiosk.flows.machine import Checkpoint, FlowMachine
from kiosk.flows.record import FlowRecord
from kiosk.flows.session import Session, sweep_orphans
from kiosk.flows.states import AFTER_ACCEPTANCE, BEFORE_ACCEPTANCE, FlowState
from kiosk.flows.viewmodels import ViewModel
from kiosk.flows.wiring import FlowServices

log = logging.getLogger(__name__)
@dataclass(frozen=True)
class Recovered:
    session_id: str
    item_code: str
    state: str
    outcome: str  # closed | resumed | adopted
    receipts: tuple[str, ...] = ()


def _orphan_entries(services: FlowServices, since: float, known: set[str]) -> list[str]:
    with sqlite3.connect(f"file:{services.link.outbox.path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT id FROM outbox WHERE created_at >= ? ORDER BY seq", (since - 1.0,)).fetchall()
    return [r[0] for r in rows if r[0] not in known]


async def recover(services: FlowServices) -> list[Recovered]:
    """Run at start-up, before the first citizen: nothing unfinished survives this call."""
    results: list[Recovered] = []
    checkpoints = FlowMachine.unfinished(services.store, services.box)
    claimed = {e["entry_id"] for cp in checkpoints for e in cp.payload.get("entries", [])}
    for cp in checkpoints:
        try:
            results.append(await _recover_one(services, cp, claimed))
        except Exception as exc:  # one broken checkpoint must not keep the terminal from starting
            log.exception("recovery of %s failed", cp.session_id[:8])
            services.audit.append("terminal", "flow.recovery_failed", session=cp.session_id, item=cp.item_code, state=cp.state.value,
                                  error=type(exc).__name__)
            services.store.db().execute("DELETE FROM checkpoints WHERE session_id = ?", [cp.session_id])
            Session(services.sessions_root, services.audit, services.names, id=cp.session_id).wipe("crash_recovery")
            results.append(Recovered(cp.session_id, cp.item_code, cp.state.value, "failed"))
    sweep_orphans(services.sessions_root, services.audit)
    services.scrub_stores()  # what the crashed sessions left in the WAL goes with them
    return results


async def _recover_one(services: FlowServices, cp: Checkpoint, claimed: set[str]) -> Recovered:
    record = FlowRecord.from_payload(cp.payload)
    session = Session(services.sessions_root, services.audit, services.names, id=cp.session_id)
    flow = ItemFlow(services, session, _discard, record, cp.state)
    flow.submit.unattended = True
    if cp.state in BEFORE_ACCEPTANCE and cp.state is not FlowState.SUBMITTING:
        flow.go(FlowState.CLOSED, "crash before acceptance: closed, nothing submitted")
        outcome = "closed"
    else:
        outcome = "resumed"
        if cp.state is FlowState.SUBMITTING:
            orphans = _orphan_entries(services, record.submit_started_at, claimed) if record.submit_started_at else []
            pending = [m for m in flow.plan.members if m.id not in {e["member"] for e in record.entries}]
            if orphans and pending:  # the crash fell between an enqueue and its checkpoint
                row = services.link.outbox.get(orphans[0]) or {}
                record.entries.append({"member": pending[0].id, "entry_id": orphans[0], "receipt": str(row.get("receipt", "")),
                                       "mode": "", "item": pending[0].item.name})
                claimed.add(orphans[0])
                outcome = "adopted"
            details = flow.submit.delivery_details()
            await flow.submit.enqueue_remaining(details if isinstance(details, dict) else None)
            flow.go(FlowState.ACCEPTED, "recovered after crash while submitting")
            services.link.worker.kick()
        if flow.state in AFTER_ACCEPTANCE:
            if flow.state is FlowState.ACCEPTED and not record.receipt_printed:
                await flow.submit.receipt()  # prints the receipt the citizen did not get, → RECEIPT
            flow.go(FlowState.DONE, "recovered after crash: accepted application kept")
    services.audit.append("terminal", "flow.recovered", session=cp.session_id, item=cp.item_code, state=cp.state.value, outcome=outcome)
    session.wipe("crash_recovery")
    log.info("recovered flow %s (%s at %s): %s", cp.item_code, cp.session_id[:8], cp.state.value, outcome)
    found = Recovered(cp.session_id, cp.item_code, cp.state.value, outcome, tuple(e["receipt"] for e in record.entries))
    record.forget()
    return found


def _discard(vm: ViewModel) -> None:
    """Nobody is at the screen during recovery."""
