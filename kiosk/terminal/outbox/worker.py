"""Delivers outbox entries to the platform until each is acknowledged (store-and-forward).

Per entry: upload its materials (content-addressed, idempotent), then submit with the entry id as
``Idempotency-Key``. Network/5xx/auth trouble → retry later with jittered exponential backoff;
a 4xx saying the platform does not know the item or its version (our catalog and the platform's
disagree) → ``held`` until the next catalog sync, then once more; any other definite 4xx → the
dead letter (``rejected``, with the platform's code and message), raised in the heartbeat and
left to a technician's ``kiosk outbox redrive|export``. While the outbox's key is unavailable
nothing is delivered and nothing is marked: the rows wait for the restored key.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from typing import Any

from kiosk.errors import OutboxUnavailable, PlatformAuthError, PlatformError, PlatformRejected, StoreError
from kiosk.terminal.outbox.store import Material, Outbox
from kiosk.terminal.platform.client import PlatformClient

log = logging.getLogger(__name__)

#: Platform error codes that mean "your catalog is not mine" (retried after the next catalog sync, not dead-lettered).
CATALOG_MISMATCH = frozenset({"ITEM_UNKNOWN", "ITEM_VERSION_UNKNOWN", "ITEM_VERSION_MISMATCH", "ITEM_RETIRED", "MODE_NOT_SUPPORTED"})


def material_refs(materials: list[Material]) -> list[dict[str, Any]]:
    refs = []
    for material in materials:
        ref: dict[str, Any] = {"material_code": material.material_code, "name": material.name, "source": material.source}
        if material.source == "license":
            ref["license_id"] = material.license_id
        else:
            ref["sha256"] = hashlib.sha256(material.content).hexdigest()
        refs.append(ref)
    return refs


class DeliveryWorker:
    def __init__(self, outbox: Outbox, client: PlatformClient,
                 backoff_base_s: float = 1.0, backoff_max_s: float = 300.0, idle_poll_s: float = 30.0, audit: Any = None) -> None:
        self.outbox = outbox
        self.audit = audit  # delivered / rejected applications are audited (receipt, case id, code: no personal data)
        self.client = client
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.idle_poll_s = idle_poll_s
        self._wake = asyncio.Event()
        self._inflight: set[str] = set()

    def kick(self) -> None:
        """Deliver now (called after enqueue, or when the link comes back)."""
        self._wake.set()

    def _backoff(self, attempts: int) -> float:
        cap = min(self.backoff_max_s, self.backoff_base_s * (2 ** max(0, attempts - 1)))
        return cap / 2 + random.uniform(0, cap / 2)

    async def deliver(self, entry_id: str) -> str | None:
        """Try one entry once; returns the case id when acknowledged.

        One delivery per entry at a time: ``run()`` and ``drain()`` may both pick the same entry, and
        the second must not read an entry the first just acknowledged (and wiped) as unreadable.
        """
        if entry_id in self._inflight:
            return None
        self._inflight.add(entry_id)
        try:
            if (self.outbox.get(entry_id) or {}).get("state") != "pending":
                return None  # delivered or parked since it was listed as due
            return await self._deliver(entry_id)
        finally:
            self._inflight.discard(entry_id)

    async def _deliver(self, entry_id: str) -> str | None:
        try:
            payload, materials = self.outbox.load(entry_id)
        except OutboxUnavailable:
            return None  # the key is gone: keep the row as it is for the restored key
        except StoreError as exc:
            log.error("outbox entry %s unreadable: %s", entry_id, exc)
            self.outbox.mark_rejected(entry_id, "LOCAL_UNREADABLE", str(exc), None)
            self._audit("application.rejected", entry=entry_id, code="LOCAL_UNREADABLE")
            return None
        try:
            for material in materials:
                if material.source != "license":
                    await self.client.upload_material(material.content, material.media_type)
            result = await self.client.submit_application({**payload, "materials": material_refs(materials)}, idempotency_key=entry_id)
        except PlatformAuthError as exc:
            self.outbox.mark_retry(entry_id, f"{exc.code}: {exc.message}", self._backoff)
            return None
        except PlatformRejected as exc:
            if exc.code in CATALOG_MISMATCH and not (self.outbox.get(entry_id) or {}).get("catalog_retries"):
                log.warning("outbox entry %s: platform does not know the item (%s): held until the next catalog sync",
                            payload.get("terminal_receipt"), exc.code)
                self.outbox.mark_held(entry_id, exc.code, exc.message, exc.field)
                return None
            log.error("platform refused outbox entry %s for good: %s (dead letter)", payload.get("terminal_receipt"), exc.code)
            self.outbox.mark_rejected(entry_id, exc.code, exc.message, exc.field)
            self._audit("application.rejected", entry=entry_id, receipt=payload.get("terminal_receipt"), item=payload.get("item_code"),
                        code=exc.code, field=exc.field)
            return None
        except PlatformError as exc:
            self.outbox.mark_retry(entry_id, str(exc), self._backoff)
            return None
        self.outbox.mark_delivered(entry_id, result.case_id)
        self._audit("application.delivered", entry=entry_id, receipt=payload.get("terminal_receipt"), item=payload.get("item_code"),
                    case_id=result.case_id)
        return result.case_id

    def _audit(self, action: str, **detail: Any) -> None:
        if self.audit is not None:
            try:
                self.audit.append("terminal", action, **detail)
            except StoreError as exc:  # the outcome is in the outbox already; a lost audit line must not undo a delivery
                log.error("audit %s not written: %s", action, exc)

    async def run_once(self) -> int:
        """Deliver every due entry; returns how many were acknowledged."""
        if not self.outbox.recheck():
            return 0
        self.outbox.release_stale_held()
        delivered = 0
        for entry_id in self.outbox.due():
            if await self.deliver(entry_id):
                delivered += 1
        return delivered

    async def run(self) -> None:
        """Forever: deliver what is due, then sleep until the next due time, a kick, or the idle poll."""
        while True:
            await self.run_once()
            next_due = self.outbox.next_due_at()
            wait = self.idle_poll_s if next_due is None else max(0.0, min(self.idle_poll_s, next_due - time.time()))
            self._wake.clear()
            if wait > 0 and not self.outbox.due(limit=1):
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except TimeoutError:
                    pass

    async def drain(self, timeout_s: float = 30.0) -> bool:
        """Deliver until nothing is pending (ignoring backoff), or the timeout; True when empty."""
        deadline = time.monotonic() + timeout_s
        while self.outbox.stats().depth:
            if time.monotonic() > deadline:
                return False
            for entry_id in self.outbox.due(now=float("inf"), limit=100):
                await self.deliver(entry_id)
            if self.outbox.stats().depth:
                await asyncio.sleep(0.05)
        return True
