"""The supervisor acts on each state and recovery action: bounded reset backoff, re-open, probe, hands off.

The devices here are minimal drivers (real blocking work on the runner's worker thread, like a serial
driver), whose health we switch on purpose; the supervisor and runner under test are the real ones.
"""

from __future__ import annotations

from typing import Any

from kiosk.errors import DeviceIOError, DeviceTimeoutError, DeviceUnavailableError
from kiosk.terminal import CancelToken, DeviceClass, DeviceService, DeviceState, EventBus, RecoveryAction, UnavailableDevice
from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.events import Error
from kiosk.terminal.supervisor import DeviceSupervisor, SupervisorPolicy
from tests.supervisor.conftest import wait_until

FAST = SupervisorPolicy(probe_interval_s=0.05, monitored_probe_s=0.05, reopen_initial_s=0.02, reopen_max_s=0.05,
                        reset_initial_s=0.02, reset_max_s=0.2, max_resets=3, hands_on_interval_s=0.05)


class Unit(DeviceService):
    """A device whose port can be present or not, broken or not, and whose peer can be mute."""

    device_class = DeviceClass.SCANNER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.present = True
        self.broken = False
        self.mute = False
        self.jammed = False
        self.hangs = False
        self.opens = self.resets = self.probes_run = 0

    def _do_open(self, token: CancelToken) -> None:
        self.opens += 1
        if not self.present:
            raise DeviceUnavailableError("no device at /dev/unit")

    def _do_reset(self, token: CancelToken) -> None:
        self.resets += 1
        if self.broken:
            raise DeviceIOError("reset failed")

    def _do_probe(self, token: CancelToken) -> Completion[None] | None:
        self.probes_run += 1
        if not self.present:
            raise DeviceUnavailableError("no device at /dev/unit")
        if self.mute:
            raise DeviceTimeoutError("no answer to status in 0.1 s")
        if self.hangs:  # waits on its token like a read that never gets a byte: the runner's deadline ends it
            token.sleep(10.0)
        if self.jammed:
            return Completion.failure(CompletionCode.HARDWARE_ERROR, "jammed", RecoveryAction.MAINTENANCE)
        return None

    async def fail_hard(self, action: RecoveryAction) -> Completion[None]:
        def work(token: CancelToken) -> Completion[None]:
            return Completion.failure(CompletionCode.HARDWARE_ERROR, "jammed", action)

        return await self._execute("work", work, 1.0)


async def supervised(*devices: DeviceService, policy: SupervisorPolicy = FAST) -> tuple[DeviceSupervisor, EventBus]:
    bus = devices[0].bus
    supervisor = DeviceSupervisor({d.name: d for d in devices}, bus, policy)
    await supervisor.start()
    return supervisor, bus


async def test_a_device_absent_at_start_is_reopened_until_it_appears() -> None:
    unit = Unit("scanner", EventBus())
    unit.present = False
    assert not (await unit.open()).ok
    supervisor, _ = await supervised(unit)
    try:
        assert await wait_until(lambda: unit.opens >= 4, 2.0) is not None
        unit.present = True
        assert await wait_until(lambda: unit.status().state is DeviceState.ONLINE, 2.0) is not None
    finally:
        await supervisor.stop()
        await unit.close()


async def test_unplugged_while_idle_the_probe_says_no_device() -> None:
    unit = Unit("scanner", EventBus())
    assert (await unit.open()).ok
    supervisor, _ = await supervised(unit)
    try:
        unit.present = False
        assert await wait_until(lambda: unit.status().state is DeviceState.NO_DEVICE, 2.0) is not None
        unit.present = True
        assert await wait_until(lambda: unit.status().state is DeviceState.ONLINE, 2.0) is not None
    finally:
        await supervisor.stop()
        await unit.close()


async def test_a_mute_peer_is_not_online_and_a_reset_heals_it() -> None:
    unit = Unit("scanner", EventBus())
    assert (await unit.open()).ok
    supervisor, _ = await supervised(unit)
    try:
        unit.mute = True  # connected, but it never answers: judged by the probe, not by the last command
        assert await wait_until(lambda: unit.status().state is DeviceState.HARDWARE_ERROR, 2.0) is not None
        unit.mute = False
        assert await wait_until(lambda: unit.status().state is DeviceState.ONLINE, 2.0) is not None
        assert unit.resets >= 1
    finally:
        await supervisor.stop()
        await unit.close()


async def test_a_probe_that_runs_out_of_time_counts_as_a_silent_device() -> None:
    unit = Unit("scanner", EventBus())
    unit.probe_timeout = 0.1
    assert (await unit.open()).ok
    supervisor, _ = await supervised(unit)
    try:
        unit.hangs = True
        assert await wait_until(lambda: unit.status().state is DeviceState.HARDWARE_ERROR, 3.0) is not None
    finally:
        unit.hangs = False
        await supervisor.stop()
        await unit.close()


async def test_resets_back_off_and_stop_at_the_bound_with_one_maintenance_error() -> None:
    unit = Unit("scanner", EventBus())
    assert (await unit.open()).ok
    unit.broken = True
    supervisor, bus = await supervised(unit)
    try:
        unit.runner.report(DeviceState.HARDWARE_ERROR, "motor stalled")
        assert await wait_until(lambda: bool([e for e in bus.recent((Error,)) if e.action is RecoveryAction.MAINTENANCE]), 3.0)
        at_bound = unit.resets
        assert at_bound == FAST.max_resets
        await wait_until(lambda: False, 0.3)
        assert unit.resets <= at_bound + 2  # after the bound: a slow retry (reset_max_s), not a loop
        assert len([e for e in bus.recent((Error,)) if e.action is RecoveryAction.MAINTENANCE]) == 1
        unit.broken = False
        assert await wait_until(lambda: unit.status().state is DeviceState.ONLINE, 3.0) is not None
    finally:
        await supervisor.stop()
        await unit.close()


async def test_hands_on_actions_are_not_reset() -> None:
    unit = Unit("scanner", EventBus())
    assert (await unit.open()).ok
    supervisor, _ = await supervised(unit)
    try:
        unit.jammed = True
        await unit.fail_hard(RecoveryAction.MAINTENANCE)
        assert unit.status().state is DeviceState.HARDWARE_ERROR and unit.status().last_action is RecoveryAction.MAINTENANCE
        probes = unit.probes_run
        await wait_until(lambda: False, 0.3)
        assert unit.resets == 0
        assert unit.probes_run > probes  # still probed (slowly) …
        unit.jammed = False  # … so the technician's fix is seen without a reset
        assert await wait_until(lambda: unit.status().state is DeviceState.ONLINE, 2.0) is not None
        assert unit.resets == 0
    finally:
        await supervisor.stop()
        await unit.close()


async def test_a_software_error_is_reset_once() -> None:
    unit = Unit("scanner", EventBus())
    assert (await unit.open()).ok
    unit.broken = True
    supervisor, _ = await supervised(unit)
    try:
        await unit.fail_hard(RecoveryAction.SOFTWARE_ERROR)
        assert await wait_until(lambda: unit.resets >= 1, 2.0) is not None
        await wait_until(lambda: False, 0.3)
        assert unit.resets == 1
    finally:
        await supervisor.stop()
        await unit.close()


async def test_a_misconfigured_device_is_left_alone() -> None:
    bus = EventBus()
    stand_in = UnavailableDevice("printer", DeviceClass.RECEIPT_PRINTER, bus, "configuration: bad option")
    unit = Unit("scanner", bus)
    assert (await unit.open()).ok
    supervisor, _ = await supervised(unit, stand_in)
    try:
        assert "printer" not in [name for name, _ in supervisor.actions]
        opened = await stand_in.open()
        assert opened.action is RecoveryAction.CONFIGURATION
        assert stand_in.status().last_action is RecoveryAction.CONFIGURATION  # the fleet console sees what to do
    finally:
        await supervisor.stop()
        await unit.close()
