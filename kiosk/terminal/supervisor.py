"""DeviceSupervisor: keeps every device as healthy as it can be, and its status true, without a person.

One asyncio task per device (on the loop that started the Terminal) acts on the device's state and
recovery action:

- ``no_device`` / ``offline`` / ``starting``: re-open (quietly) with a backoff capped at
  ``reopen_max_s`` — so a reader plugged in after start comes online within a few seconds — unless the
  driver's own monitor runs, which re-opens by itself (the idcard poller, the chipcard CardMonitor);
- ``hardware_error`` with ``reset``/``retry``: reset with exponential backoff, ``max_resets`` times in a
  row; then one ``Error(action=maintenance)`` and slow retries (a device that heals is still picked up);
  ``software_error``: one reset; ``maintenance``/``suspend``/``configuration``/``fraud_attempt``: no
  reset (a person must act), only the slow probe;
- healthy or waiting for a person (``user_error``: paper out, cover open): a cheap probe every
  ``probe_interval_s`` (``monitored_probe_s`` when the driver's monitor already watches the device) so
  health is judged by the probe, not by the outcome of the last citizen's command.

Every driver's poller/monitor is started here (``start_monitoring``). A device with commands queued or
running is not probed. The supervisor logs its own decisions once per episode; status changes are logged
once by the runner. ``Terminal.start()`` starts it, ``Terminal.stop()`` awaits its stop before closing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from kiosk.terminal.completion import RecoveryAction
from kiosk.terminal.device import DeviceService, UnavailableDevice
from kiosk.terminal.events import Error, EventBus
from kiosk.terminal.status import DeviceState

log = logging.getLogger(__name__)

ABSENT_STATES = frozenset({DeviceState.NO_DEVICE, DeviceState.OFFLINE, DeviceState.STARTING})
#: Actions no reset can help: a person must act (or the config be fixed).
HANDS_ON = frozenset({RecoveryAction.MAINTENANCE, RecoveryAction.SUSPEND, RecoveryAction.CONFIGURATION, RecoveryAction.FRAUD_ATTEMPT})


@dataclass(frozen=True)
class SupervisorPolicy:
    """Timings; the defaults meet issue 13's hot-plug bound (5 s) at well under 1 % of a core."""

    probe_interval_s: float = 2.0
    monitored_probe_s: float = 15.0  # the driver's own poller keeps the status; the probe is a safety net
    reopen_initial_s: float = 0.5
    reopen_max_s: float = 2.0
    reset_initial_s: float = 1.0
    reset_max_s: float = 60.0
    max_resets: int = 5
    hands_on_interval_s: float = 30.0  # probe cadence while a person must act (maintenance, suspend …)


@dataclass
class _Episode:
    """Recovery bookkeeping of one device, reset whenever it is healthy again."""

    attempts: int = 0
    gave_up: bool = False
    software_reset_done: bool = False
    announced: set[str] = field(default_factory=set)

    def clear(self) -> None:
        self.attempts, self.gave_up, self.software_reset_done = 0, False, False
        self.announced.clear()

    def once(self, what: str) -> bool:
        """True the first time ``what`` is asked in this episode (so it is logged once)."""
        if what in self.announced:
            return False
        self.announced.add(what)
        return True


class DeviceSupervisor:
    def __init__(self, devices: dict[str, DeviceService], bus: EventBus, policy: SupervisorPolicy | None = None) -> None:
        self.devices = devices
        self.bus = bus
        self.policy = policy or SupervisorPolicy()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stop = asyncio.Event()
        self.actions: list[tuple[str, str]] = []  # (device, action) taken, newest last (doctor, tests, bench)

    @property
    def running(self) -> bool:
        return any(not task.done() for task in self._tasks.values())

    async def start(self) -> None:
        """Start each driver's monitor and one watch task per device; idempotent."""
        if self.running:
            return
        self._stop = asyncio.Event()
        for name, device in self.devices.items():
            if isinstance(device, UnavailableDevice):
                continue  # configuration: nothing to supervise until the config is fixed
            try:
                await device.start_monitoring()
            except Exception:  # a monitor that cannot start must not stop the others
                log.exception("supervisor: %s monitor did not start", name)
            self._tasks[name] = asyncio.get_running_loop().create_task(self._watch(name, device), name=f"supervise-{name}")

    async def stop(self) -> None:
        """Stop the watch tasks and the drivers' monitors (before the devices close)."""
        self._stop.set()
        tasks, self._tasks = list(self._tasks.values()), {}
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for name, device in self.devices.items():
            try:
                await device.stop_monitoring()
            except Exception:
                log.exception("supervisor: %s monitor did not stop", name)

    # ----- the watch loop -----------------------------------------------------------------------
    async def _watch(self, name: str, device: DeviceService) -> None:
        episode = _Episode()
        while not self._stop.is_set():
            try:
                delay = await self.step(name, device, episode)
            except Exception:  # the supervisor must outlive any driver bug
                log.exception("supervisor: step for %s failed", name)
                delay = self.policy.reset_max_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)

    async def step(self, name: str, device: DeviceService, episode: _Episode) -> float:
        """One decision for ``device``; returns the seconds until the next."""
        p = self.policy
        if device.pending():
            return p.probe_interval_s  # a citizen's command runs: never compete with it
        status = device.status()
        if status.state in ABSENT_STATES:
            if device.monitoring:
                return self._probe_delay(device)  # the driver's monitor re-opens and reports by itself
            return await self._reopen(name, device, episode)
        if status.state is DeviceState.HARDWARE_ERROR:
            return await self._recover(name, device, episode, status.last_action)
        if status.ready and (episode.attempts or episode.gave_up):
            log.info("supervisor: %s healthy again", name)
            episode.clear()
        return await self._probe(device)

    def _probe_delay(self, device: DeviceService) -> float:
        return self.policy.monitored_probe_s if device.monitoring else self.policy.probe_interval_s

    async def _probe(self, device: DeviceService) -> float:
        if device.probes:
            await device.probe()  # the runner turns its outcome into the status (quietly)
        return self._probe_delay(device)

    async def _reopen(self, name: str, device: DeviceService, episode: _Episode) -> float:
        p = self.policy
        if episode.once("reopen"):
            log.info("supervisor: %s is %s; re-opening every %.1f s at most", name, device.status().state.value, p.reopen_max_s)
        episode.attempts += 1
        self.actions.append((name, "reopen"))
        opened = await device.reopen()
        if opened.ok:
            log.info("supervisor: %s opened after %d attempt(s)", name, episode.attempts)
            episode.clear()
            return self._probe_delay(device)
        return min(p.reopen_initial_s * 2 ** (episode.attempts - 1), p.reopen_max_s)

    async def _recover(self, name: str, device: DeviceService, episode: _Episode, action: RecoveryAction | None) -> float:
        p = self.policy
        if action in HANDS_ON:
            if episode.once(f"hands-on:{action}"):
                log.warning("supervisor: %s needs a person (%s): not resetting", name, action.value if action else "")
            await self._probe(device)
            return p.hands_on_interval_s
        if episode.software_reset_done:  # a driver bug one reset did not cure: resetting again will not either
            await self._probe(device)
            return p.hands_on_interval_s
        if action is RecoveryAction.SOFTWARE_ERROR:
            log.error("supervisor: %s hit a software error; one reset", name)
            episode.software_reset_done = True
        if episode.gave_up:
            await self._reset(name, device, episode)
            return p.reset_max_s
        episode.attempts += 1
        if episode.once("reset"):
            log.warning("supervisor: %s in hardware_error; resetting (up to %d times, backoff from %.1f s)", name, p.max_resets,
                        p.reset_initial_s)
        if await self._reset(name, device, episode):
            return self._probe_delay(device)
        if episode.attempts >= p.max_resets:
            episode.gave_up = True
            log.error("supervisor: %s still failing after %d resets: maintenance needed", name, episode.attempts)
            self.bus.publish(Error(name, description=f"{episode.attempts} resets failed", action=RecoveryAction.MAINTENANCE, request_id=None))
            return p.reset_max_s
        return min(p.reset_initial_s * 2 ** (episode.attempts - 1), p.reset_max_s)

    async def _reset(self, name: str, device: DeviceService, episode: _Episode) -> bool:
        self.actions.append((name, "reset"))
        result = await device.reset(quiet=True)
        if result.ok and device.status().ready:
            log.info("supervisor: %s reset, %s", name, device.status().state.value)
            episode.clear()
            return True
        return False
