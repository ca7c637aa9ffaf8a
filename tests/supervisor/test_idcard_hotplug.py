"""The supervised 二代证 reader: plugged in after start → online, unplugged while idle → no_device (both < 5 s),
the poller publishes MediaInserted (unsolicited: no request id), and an idle terminal logs nothing."""

from __future__ import annotations

import logging

import pytest

from drivers.idcard.sam import Timeouts
from drivers.idcard.service import IdCardService
from kiosk.terminal.events import EventBus, MediaInserted, MediaRemoved, StatusChanged
from kiosk.terminal.status import DeviceState
from kiosk.terminal.supervisor import DeviceSupervisor, SupervisorPolicy
from sim.devices.idcard.emulator import SamEmulator
from tests.supervisor.conftest import wait_until

HOTPLUG_BOUND_S = 5.0


def reader(emulator: SamEmulator, bus: EventBus) -> IdCardService:
    return IdCardService("idcard", bus, emulator.link, timeouts=Timeouts(0.5, 0.5, 1.0), default_timeout=3.0)


async def test_a_reader_plugged_in_after_start_comes_online_and_an_unplugged_one_shows_no_device(emulator: SamEmulator) -> None:
    bus = EventBus()
    emulator.unplug()  # the reader is not there when the terminal starts
    device = reader(emulator, bus)
    assert not (await device.open()).ok
    assert device.status().state is DeviceState.NO_DEVICE
    supervisor = DeviceSupervisor({"idcard": device}, bus)
    await supervisor.start()
    try:
        assert device.monitoring  # the supervisor started the driver's poller
        emulator.replug()
        assert await wait_until(lambda: device.status().state is DeviceState.ONLINE, HOTPLUG_BOUND_S) is not None
        emulator.unplug()
        assert await wait_until(lambda: device.status().state is DeviceState.NO_DEVICE, HOTPLUG_BOUND_S) is not None
        emulator.replug()
        assert await wait_until(lambda: device.status().state is DeviceState.ONLINE, HOTPLUG_BOUND_S) is not None
        assert (await device.read_card(timeout=1.0)).error_code is not None  # no card: an answer, not a fault
    finally:
        await supervisor.stop()
        await device.close()
    assert not device.monitoring


async def test_the_poller_publishes_media_events_without_a_command(emulator: SamEmulator) -> None:
    bus = EventBus()
    device = reader(emulator, bus)
    assert (await device.open()).ok
    supervisor = DeviceSupervisor({"idcard": device}, bus)
    await supervisor.start()
    stream = bus.stream(types=(MediaInserted, MediaRemoved))
    try:
        emulator.insert("zhangsan")
        placed = await stream.next(3.0)
        assert isinstance(placed, MediaInserted) and placed.device == "idcard" and placed.request_id is None
        read = await device.read_card()
        assert read.ok and read.request_id > 0
        emulator.remove()
        lifted = await stream.next(3.0)
        assert isinstance(lifted, MediaRemoved) and lifted.request_id is None
    finally:
        stream.close()
        await supervisor.stop()
        await device.close()


async def test_an_idle_supervised_terminal_publishes_and_logs_nothing(emulator: SamEmulator, caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    device = IdCardService("idcard", bus, emulator.link, default_timeout=3.0)  # the product's timeouts: a loaded CI is no fault
    assert (await device.open()).ok
    # probe often, so a probe that flickered busy or logged would show within the window
    supervisor = DeviceSupervisor({"idcard": device}, bus, SupervisorPolicy(probe_interval_s=0.1, monitored_probe_s=0.1))
    await supervisor.start()
    try:
        polls = len(emulator.received)
        before = len(bus.recent((StatusChanged,)))
        with caplog.at_level(logging.INFO):
            caplog.clear()  # the open's own "online" is news; the idle window after it must say nothing
            assert await wait_until(lambda: len(emulator.received) > polls + 8, 5.0) is not None  # it polls and probes …
        changes = bus.recent((StatusChanged,))[before:]
        assert not changes, changes  # … and nothing changes, so nothing is said
        said = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.name.startswith(("kiosk", "drivers"))]
        assert not said, said
    finally:
        await supervisor.stop()
        await device.close()
