"""One client's WebSocket to one device service: acknowledge, run, complete; Common.*; unsolicited events.

Each command is acknowledged at once (or refused by its acknowledge: bad frame, request id in use, too
many requests), then runs as its own task so Common.Cancel and Common.Status answer while a read waits.
Device events on the bus that no command claims go out as unsolicited events. Sends are serialised so
frames never interleave; a command's events are sent before its completion.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from kiosk.terminal.completion import RecoveryAction
from kiosk.terminal.events import Error, Event, EventBus, MediaPresented, MediaRemoved, MediaTaken, StatusChanged, Threshold
from kiosk.terminal.requests import new_request_id
from kiosk.terminal.status import DeviceClass
from kiosk.xfs import interfaces as X
from kiosk.xfs.commands import HANDLERS, Request, timeout_of
from kiosk.xfs.messages import AckStatus, BadFrame, CommandFrame, MessageType, acknowledge, completion, frame, parse_command

log = logging.getLogger(__name__)

MAX_REQUESTS = 8
#: Close code 1013 (try again later): the gate closed while the connection was open.
CLOSE_GATED = 1013
GATE_CHECK_S = 0.25

_ERROR_ACTION = {
    RecoveryAction.RESET: "reset",
    RecoveryAction.CLEAR: "clear",
    RecoveryAction.MAINTENANCE: "maintenance",
    RecoveryAction.SUSPEND: "suspend",
    RecoveryAction.CONFIGURATION: "configuration",
    RecoveryAction.SOFTWARE_ERROR: "softwareError",
    RecoveryAction.FRAUD_ATTEMPT: "maintenance",  # staff must look; the eventId says why
}


class Sender:
    """Serialised JSON sends on one WebSocket."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self._lock = asyncio.Lock()

    async def __call__(self, message: dict[str, Any]) -> None:
        async with self._lock:
            await self.ws.send(json.dumps(message, ensure_ascii=False))


class ServiceConnection:
    """A client connected to ``/xfs4iot/v1.0/<device>``."""

    def __init__(
        self, ws: ServerConnection, device: Any, bus: EventBus, refusal: Callable[[], str], service_version: str
    ) -> None:
        self.ws = ws
        self.device = device
        self.cls: DeviceClass = device.device_class
        self.iface = X.INTERFACE_OF[self.cls]
        self.bus = bus
        self.refusal = refusal
        self.service_version = service_version
        self.send = Sender(ws)
        self.running: dict[int, asyncio.Task[None]] = {}
        self.own_rids: set[int] = set()  # the device request ids our running commands use (their events are theirs)
        self._last_status: dict[str, Any] | None = None

    async def serve(self) -> None:
        helpers = [asyncio.create_task(self._forward_events(), name="xfs-events"), asyncio.create_task(self._watch_gate(), name="xfs-gate")]
        try:
            async for raw in self.ws:
                await self._accept(raw)
        except ConnectionClosed:
            pass
        finally:
            for task in [*self.running.values(), *helpers]:
                task.cancel()
            for task in [*self.running.values(), *helpers]:
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task

    # ----- commands -------------------------------------------------------------------------------
    async def _accept(self, raw: str | bytes) -> None:
        try:
            command = parse_command(raw)
        except BadFrame as bad:
            await self.send(acknowledge(bad.name or "Common.Unknown", bad.request_id, bad.status, bad.reason))
            return
        header = command.header
        if header.request_id in self.running:
            await self.send(acknowledge(header.name, header.request_id, AckStatus.INVALID_REQUEST_ID, "this request id is in use"))
            return
        if len(self.running) >= MAX_REQUESTS:
            await self.send(acknowledge(header.name, header.request_id, AckStatus.TOO_MANY_REQUESTS, f"at most {MAX_REQUESTS} at once"))
            return
        why = self.refusal()
        if why:
            await self._cancel_requests(list(self.running))
            await self.ws.close(CLOSE_GATED, why)
            return
        await self.send(acknowledge(header.name, header.request_id))
        if header.name == "Common.Cancel":  # answers at once, never queued behind the command it cancels
            await self.send(await self._cancel(command))
            return
        self.running[header.request_id] = asyncio.create_task(self._run(command), name=f"xfs-{header.name}-{header.request_id}")

    async def _run(self, command: CommandFrame) -> None:
        header = command.header
        timeout_s = timeout_of(header.timeout, command.payload, float(getattr(self.device, "default_timeout", 10.0)))
        request = Request(header.name, header.request_id, command.payload, timeout_s, self.send, self.bus, new_request_id())
        self.own_rids.add(request.rid)
        cancelled = False
        try:
            message = await self._dispatch(request)
        except asyncio.CancelledError:
            cancelled = True
            message = completion(header.name, header.request_id, code="canceled", description="canceled by Common.Cancel or the connection closing")
        except Exception as exc:  # one command's bug must not end the connection (logged)
            log.exception("xfs %s %s failed", self.device.name, header.name)
            message = completion(header.name, header.request_id, code="internalError", description=f"{type(exc).__name__}: {exc}")
        self.running.pop(header.request_id, None)
        try:
            with contextlib.suppress(ConnectionClosed):
                await self.send(message)
        finally:
            self.own_rids.discard(request.rid)  # after the completion: a late media event is not mistaken for unsolicited
        if cancelled:
            raise asyncio.CancelledError

    async def _dispatch(self, request: Request) -> dict[str, Any]:
        name = request.name
        if name == "Common.Status":
            return completion(name, request.request_id, payload=X.status_payload(self.device.status()))
        if name == "Common.Capabilities":
            payload = X.capabilities_payload(self.cls, type(self.device).__name__, self.device.capabilities(), self.service_version)
            return completion(name, request.request_id, payload=payload)
        handler = HANDLERS.get(name)
        if handler is None or name not in self.iface.commands:
            return completion(name, request.request_id, code="unsupportedCommand", description=f"{name} is not a {self.iface.name} command here")
        return await handler(self.device, self.cls, request)

    async def _cancel(self, command: CommandFrame) -> dict[str, Any]:
        """Common.Cancel: the listed request ids, or every command of this connection when none are listed."""
        header = command.header
        wanted = command.payload.get("requestIds")
        if wanted is not None and (not isinstance(wanted, list) or not all(isinstance(i, int) and i >= 1 for i in wanted)):
            return completion(header.name, header.request_id, code="invalidData", description="requestIds: a list of request ids ≥ 1")
        targets = [rid for rid in self.running if wanted is None or rid in wanted]
        if wanted is not None and not targets:
            return completion(header.name, header.request_id, payload={"errorCode": "noMatchingRequestIDs"}, code="commandErrorCode",
                              description="no command with those request ids is queued or running")
        await self._cancel_requests(targets)  # their canceled completions go out before Cancel's own completion
        return completion(header.name, header.request_id)

    async def _cancel_requests(self, request_ids: list[int]) -> None:
        tasks = [self.running[rid] for rid in request_ids if rid in self.running]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # ----- unsolicited events ---------------------------------------------------------------------
    async def _forward_events(self) -> None:
        stream = self.bus.stream(types=(StatusChanged, MediaRemoved, MediaPresented, MediaTaken, Threshold, Error))
        try:
            while True:
                event = await stream.__anext__()
                if event.device != self.device.name:
                    continue
                message = self._unsolicited(event)
                if message is not None:
                    await self.send(message)
        finally:
            stream.close()

    def _unsolicited(self, event: Event) -> dict[str, Any] | None:
        if isinstance(event, StatusChanged):
            payload = X.status_payload(event.new)
            if payload == self._last_status:
                return None
            self._last_status = payload
            return frame("Common.StatusChangedEvent", MessageType.UNSOLICITED, None, payload)
        if isinstance(event, MediaRemoved) and self.iface is X.CARD_READER:
            return frame("CardReader.MediaRemovedEvent", MessageType.UNSOLICITED, None, {})
        if isinstance(event, (MediaPresented, MediaTaken)) and self.iface is X.PRINTER:
            if event.request_id in self.own_rids:
                return None  # our PrintRaw sends it as its own event
            if isinstance(event, MediaPresented):
                return frame("Printer.MediaPresentedUnsolicitedEvent", MessageType.UNSOLICITED, None, {"wadIndex": 1, "totalWads": 1})
            return frame("Printer.MediaTakenEvent", MessageType.UNSOLICITED, None, {})
        if isinstance(event, Threshold) and event.name == "paper" and self.iface is X.PRINTER:
            level = {"near_end": "low", "out": "out"}.get(event.level, "full")
            return frame("Printer.PaperThresholdEvent", MessageType.UNSOLICITED, None, {"paperSource": "upper", "threshold": level})
        if isinstance(event, Error):
            kind = "fraudAttempt" if event.action is RecoveryAction.FRAUD_ATTEMPT else "hardware"
            error: dict[str, Any] = {"eventId": kind, "vendorDescription": event.description[:200]}
            if event.action in _ERROR_ACTION:
                error["action"] = _ERROR_ACTION[event.action]
            return frame("Common.ErrorEvent", MessageType.UNSOLICITED, None, error)
        return None

    async def _watch_gate(self) -> None:
        """Close the connection as soon as a citizen session starts (its commands are cancelled)."""
        while True:
            why = self.refusal()
            if why:
                await self._cancel_requests(list(self.running))  # the devices are the citizen's again
                await self.ws.close(CLOSE_GATED, why)
                return
            await asyncio.sleep(GATE_CHECK_S)
