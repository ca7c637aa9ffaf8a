"""CommandRunner: one worker thread per device, one command at a time, in order.

Why a thread: pyserial, pyscard, SANE and OpenCV block. The asyncio side awaits a future; the
worker runs the blocking function with a ``CancelToken`` that it must poll (drivers read in short
slices). Timeouts are measured from submission, so a caller gets its answer within ``timeout``
(plus a few ms) even when the device is silent. A worker that ignores its token past a grace
period is abandoned: a fresh worker starts, the driver's reset hook reopens the device, and the
status says what happened. A worker that dies outright fails its command as ``hardware_error``.

Status follows ``online → busy → online``; the driver reports its resting state (paper out,
port gone) through ``report()``, and all changes go through ``_publish`` — the one setter. A command
that ends well rests the device ONLINE only if the driver reported nothing during it. A transient
fault (``Completion.transient``: card lifted, one bad checksum, one silent answer) leaves the status
alone; ``transient_limit`` of them in a row mean ``hardware_error``.

Every command has a request id (kiosk.terminal.requests), stamped on its Completion and on every
event published while it runs; ``cancel_request`` stops one, ``cancel_current`` all. A *quiet* command
(the supervisor's probes and re-opens) shows no ``busy`` and logs no failure: only a real change of
the resting state is published and logged, once.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from kiosk.errors import CommandCanceled, DeviceTimeoutError, InvalidDataError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.error_codes import CommonError
from kiosk.terminal.error_mapping import completion_from_exception
from kiosk.terminal.events import Error, EventBus, StatusChanged
from kiosk.terminal.requests import _CURRENT, current_request_id, new_request_id
from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus

log = logging.getLogger(__name__)

#: How long after a timeout/cancel the caller waits for the worker to acknowledge before returning.
ACK_WAIT_S = 0.03


Work = Callable[[CancelToken], Any]


@dataclass
class _Job:
    command: str
    work: Work
    token: CancelToken
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Completion[Any]]
    request_id: int = 0
    quiet: bool = False  # a supervisor probe / re-open: no busy status, no failure log
    submitted: float = field(default_factory=time.monotonic)
    skipped: bool = False  # canceled before it started


_STATE_AFTER: dict[CompletionCode, DeviceState] = {
    CompletionCode.HARDWARE_ERROR: DeviceState.HARDWARE_ERROR,
    CompletionCode.DEVICE_NOT_READY: DeviceState.NO_DEVICE,
}


class CommandRunner:
    """Serialises one device's commands onto its worker thread and keeps its status."""

    def __init__(
        self,
        device: str,
        device_class: DeviceClass,
        bus: EventBus,
        reset_hook: Callable[[], None] | None = None,
        grace_s: float = 2.0,
        transient_limit: int = 3,
    ) -> None:
        self.device = device
        self.bus = bus
        self.grace_s = grace_s
        self.transient_limit = transient_limit
        self._transient_faults = 0  # transient faults in a row
        self._live: list[_Job] = []  # submitted, not yet resolved (for cancel by request id)
        self._reset_hook = reset_hook
        self._lock = threading.RLock()
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._current: _Job | None = None
        self._status = DeviceStatus(device, device_class, DeviceState.STARTING)
        self._resting = self._status
        self._logged: tuple[DeviceState, str] = (self._status.state, self._status.description)  # the resting state last logged
        self._reported_during_job = False
        self._closed = False
        self._needs_reset = False

    # ----- status ---------------------------------------------------------------------------
    @property
    def status(self) -> DeviceStatus:
        return self._status

    def running(self) -> tuple[str, float] | None:
        """The command on the worker now and its deadline (``time.monotonic``), for the systemd watchdog."""
        job = self._current
        return (job.command, job.token.deadline) if job is not None else None

    def report(self, state: DeviceState, description: str = "", **detail: object) -> None:
        """Driver-side status report, from any thread. While busy it takes effect when the command ends."""
        with self._lock:
            self._resting = self._resting.with_state(state, description, **detail)
            if self._current is not None:
                self._reported_during_job = True
                return
            self._publish(self._resting)

    def require_action(self, action: RecoveryAction, why: str) -> None:
        """Record what must happen before the device works (e.g. ``configuration`` for a device left out)."""
        with self._lock:
            old = self._status
            self._resting = replace(self._resting, last_error=why, last_action=action)
            if self._current is not None:
                return
            self._status = self._resting
        self.bus.publish(StatusChanged(self.device, old=old, new=self._status))

    def _publish(self, new: DeviceStatus) -> None:
        with self._lock:
            old = self._status
            if old.state == new.state and old.description == new.description and old.detail == new.detail:
                return
            self._status = new
            # busy → online around a command is not news: the log says a state once, when the resting state changes
            resting = (new.state, new.description)
            news = new.state is not DeviceState.BUSY and resting != self._logged
            if news:
                self._logged = resting
        if news:
            log.info("device %s: %s %s", self.device, new.state.value, new.description)
        else:
            log.debug("device %s: %s → %s %s", self.device, old.state.value, new.state.value, new.description)
        self.bus.publish(StatusChanged(self.device, old=old, new=new))

    def pending(self) -> list[tuple[int, str]]:
        """(request id, command) of every command queued or running, oldest first."""
        with self._lock:
            return [(job.request_id, job.command) for job in self._live if not job.future.done()]

    # ----- commands -------------------------------------------------------------------------
    async def run(self, command: str, work: Work, timeout: float, *, quiet: bool = False) -> Completion[Any]:
        """Run ``work(token)`` on the worker; return its completion, or ``timeout`` at the deadline.

        The request id is the caller's ``request_scope`` id, else a fresh one."""
        request_id = current_request_id() or new_request_id()
        if self._closed:
            return Completion.failure(CompletionCode.DEVICE_NOT_READY, "device closed").stamped(command, 0.0, request_id)
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        job = _Job(command, work, CancelToken(started + timeout, request_id), loop, loop.create_future(), request_id, quiet)
        with self._lock:
            self._ensure_worker()
            self._live.append(job)
            self._queue.put(job)
        try:
            result = await asyncio.wait_for(asyncio.shield(job.future), timeout)
        except TimeoutError:
            result = await self._stop_job(job, "timeout")
        except asyncio.CancelledError:
            job.token.cancel("canceled")
            job.skipped = True
            self._watch_for_hang(job)
            raise
        finally:
            with self._lock:
                if job in self._live:
                    self._live.remove(job)
        return result.stamped(command, time.monotonic() - started, request_id)

    async def _stop_job(self, job: _Job, reason: str) -> Completion[Any]:
        job.token.cancel(reason)
        job.skipped = True
        try:  # give a cooperative worker a moment to leave the device sane
            return await asyncio.wait_for(asyncio.shield(job.future), ACK_WAIT_S)
        except TimeoutError:
            self._watch_for_hang(job)
            code = CompletionCode.TIMEOUT if reason == "timeout" else CompletionCode.CANCELED
            return Completion.failure(code, f"{job.command}: {reason} (device still finishing)")

    def cancel_request(self, request_id: int, reason: str = "canceled") -> bool:
        """Cancel the command(s) with ``request_id``, queued or running; True if one was found."""
        with self._lock:
            jobs = [job for job in self._live if job.request_id == request_id and not job.future.done()]
            current = self._current
        for job in jobs:
            job.token.cancel(reason)
            if job is not current:
                job.skipped = True
                self._resolve(job, Completion.failure(CompletionCode.CANCELED, f"{job.command}: {reason} before start"))
        return bool(jobs)

    def cancel_current(self, reason: str = "canceled") -> bool:
        """Cancel the running command and everything queued; True if anything was running."""
        with self._lock:
            pending = self._drain_queue()
            current = self._current
        for job in pending:
            job.token.cancel(reason)
            job.skipped = True
            self._resolve(job, Completion.failure(CompletionCode.CANCELED, f"{job.command}: {reason} before start"))
        if current is not None:
            current.token.cancel(reason)
            return True
        return False

    def _drain_queue(self) -> list[_Job]:
        drained: list[_Job] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return drained
            if item is not None:
                drained.append(item)

    def close(self) -> None:
        """Stop accepting commands, cancel what runs, let the worker exit."""
        self.cancel_current("closing")
        with self._lock:
            self._closed = True
            self._queue.put(None)

    # ----- worker ---------------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            if self._worker is not None:
                self._needs_reset = True  # the old one died: reopen before the next command
            self._worker = threading.Thread(target=self._work_loop, name=f"device-{self.device}", daemon=True)
            self._worker.start()

    def _watch_for_hang(self, job: _Job) -> None:
        """After the grace period, abandon a worker still stuck in ``job``."""
        timer = threading.Timer(self.grace_s, self._abandon_if_stuck, args=(job,))
        timer.daemon = True
        timer.start()

    def _abandon_if_stuck(self, job: _Job) -> None:
        with self._lock:
            if self._current is not job or self._closed:
                return
            log.error("device %s: worker stuck in %s past its cancel; replacing it", self.device, job.command)
            self._current = None
            self._worker = None
            self._needs_reset = True
            self._resting = self._resting.with_state(DeviceState.HARDWARE_ERROR, f"{job.command} hung; resetting")
            scope = _CURRENT.set(job.request_id)
            try:
                self._publish(self._resting)
                self.bus.publish(Error(self.device, description=f"{job.command} hung", action=RecoveryAction.RESET))
            finally:
                _CURRENT.reset(scope)
            if not self._queue.empty():
                self._ensure_worker()

    def _work_loop(self) -> None:
        me = threading.current_thread()
        job: _Job | None = None
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    return
                with self._lock:
                    if self._worker is not me:  # replaced while we were stuck: hand the job back
                        self._queue.put(job)
                        job = None
                        return
                    if job.skipped:
                        job = None
                        continue
                    self._current = job
                    self._reported_during_job = False
                scope = _CURRENT.set(job.request_id)  # events published while serving the job carry its id
                try:
                    if not job.quiet:
                        self._publish(self._status.with_state(DeviceState.BUSY, job.command))
                    self._maybe_reset(job)
                    result = self._execute(job)
                    self._finish(job, result)
                finally:
                    _CURRENT.reset(scope)
                job = None
        except BaseException as exc:  # noqa: BLE001 — the worker itself died: never lose the command
            log.critical("device %s: worker thread died: %r", self.device, exc)
            with self._lock:
                if self._worker is me:
                    self._worker = None
                self._current = None
                self._resting = self._resting.with_state(DeviceState.HARDWARE_ERROR, f"worker died: {exc!r}")
                self._publish(self._resting)
            self.bus.publish(Error(self.device, description=f"worker died: {exc!r}", action=RecoveryAction.RESET))
            if job is not None:
                self._resolve(job, Completion.failure(CompletionCode.HARDWARE_ERROR, f"worker thread died: {exc!r}", RecoveryAction.RESET))
            with self._lock:  # queued commands get a fresh worker
                if not self._queue.empty() and not self._closed:
                    self._ensure_worker()

    def _maybe_reset(self, job: _Job) -> None:
        if self._needs_reset and self._reset_hook is not None:
            self._needs_reset = False
            try:
                self._reset_hook()
            except Exception as exc:  # noqa: BLE001 — reported through the command's own outcome below
                log.warning("device %s: reset before %s failed: %s", self.device, job.command, exc)

    def _execute(self, job: _Job) -> Completion[Any]:
        try:
            job.token.check()
            value = job.work(job.token)
        except Exception as exc:  # noqa: BLE001 — whatever a driver raises becomes the command's Completion
            if not job.quiet and not isinstance(exc, (CommandCanceled, DeviceTimeoutError, InvalidDataError)):
                log.warning("device %s: %s failed: %r", self.device, job.command, exc)
            return completion_from_exception(exc, job.token)
        if isinstance(value, Completion):
            return value
        return Completion.success(value)

    def _finish(self, job: _Job, result: Completion[Any]) -> None:
        with self._lock:
            if self._worker is not threading.current_thread():
                log.info("device %s: late result of abandoned %s dropped", self.device, job.command)
                return
            self._current = None
            if job.quiet and result.code is CompletionCode.TIMEOUT and result.error_code is None:
                result = replace(result, error_code=CommonError.DEVICE_SILENT)  # a probe that ran out of time: the device is silent
            fault = self._judge(result)
            if not self._reported_during_job and fault is not None:
                state = _STATE_AFTER.get(result.code, DeviceState.HARDWARE_ERROR) if fault else DeviceState.ONLINE
                desc = result.description if state is not DeviceState.ONLINE else ""
                if fault and result.transient:
                    desc = f"{self._transient_faults} faults in a row, the last: {desc}"
                self._resting = self._resting.with_state(state, desc)
            if not result.ok and result.code not in (CompletionCode.CANCELED, CompletionCode.TIMEOUT):
                self._resting = _with_error(self._resting, result)
            if self._queue.empty():
                self._publish(self._resting)
        if result.code is CompletionCode.HARDWARE_ERROR and fault:
            self.bus.publish(Error(self.device, description=result.description, action=result.action))
        self._resolve(job, result)

    def _judge(self, result: Completion[Any]) -> bool | None:
        """True: a fault that sets the status; False: a healthy outcome; None: a transient fault absorbed."""
        if not result.transient:
            self._transient_faults = 0
            return result.code in _STATE_AFTER
        self._transient_faults += 1
        return True if self._transient_faults >= self.transient_limit else None

    def _resolve(self, job: _Job, result: Completion[Any]) -> None:
        with self._lock:
            if job in self._live:
                self._live.remove(job)

        def settle() -> None:
            if not job.future.done():
                job.future.set_result(result)

        try:
            job.loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the caller's loop is gone; nobody is waiting
            pass


def _with_error(status: DeviceStatus, result: Completion[Any]) -> DeviceStatus:
    return replace(status, last_error=result.description, last_action=result.action)
