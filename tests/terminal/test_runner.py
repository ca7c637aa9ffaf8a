"""The command runner's contract: timeout, cancel, order, status transitions, dead workers."""

from __future__ import annotations

import asyncio
import time

import pytest

from kiosk.terminal import CompletionCode, DeviceState, Error, EventBus, StatusChanged
from tests.terminal.fakes import WorkBench


@pytest.fixture
async def bench() -> WorkBench:
    device = WorkBench("bench", EventBus())
    await device.open()
    yield device
    await device.close()


def states(bus: EventBus) -> list[str]:
    return [e.new.state.value for e in bus.recent([StatusChanged])]


async def test_timeout_returns_within_50ms_and_device_takes_next_command(bench: WorkBench) -> None:
    started = time.monotonic()
    result = await bench.cooperative("slow", seconds=5.0, timeout=0.3)
    elapsed = time.monotonic() - started
    assert result.code is CompletionCode.TIMEOUT
    assert 0.3 <= elapsed < 0.35, elapsed
    follow_up = await bench.cooperative("next", seconds=0.01, timeout=1.0)
    assert follow_up.ok and follow_up.data == "next"
    assert bench.status().state is DeviceState.ONLINE


async def test_stuck_worker_times_out_on_time_and_is_replaced(bench: WorkBench) -> None:
    bench.runner.grace_s = 0.2
    started = time.monotonic()
    result = await bench.stuck(seconds=1.5, timeout=0.2)
    assert result.code is CompletionCode.TIMEOUT
    assert time.monotonic() - started < 0.25
    await asyncio.sleep(0.3)  # past the grace period: the stuck worker is abandoned
    assert bench.status().state is DeviceState.HARDWARE_ERROR
    assert any(isinstance(e, Error) and "hung" in e.description for e in bench.bus.recent())
    opens_before = bench.opens
    follow_up = await bench.cooperative("after-hang", seconds=0.01, timeout=1.0)
    assert follow_up.ok
    assert bench.opens == opens_before + 1  # the fresh worker reopened the device first
    assert bench.status().state is DeviceState.ONLINE


async def test_cancellation_reaches_the_worker_mid_command(bench: WorkBench) -> None:
    task = asyncio.create_task(bench.cooperative("long", seconds=5.0, timeout=10.0))
    await asyncio.to_thread(bench.in_command.wait, 1.0)
    started = time.monotonic()
    assert bench.cancel("citizen pressed 取消")
    result = await task
    assert result.code is CompletionCode.CANCELED
    assert time.monotonic() - started < 0.1
    assert "long" not in bench.log  # the work stopped, it did not run to the end
    assert (await bench.cooperative("again", 0.01, 1.0)).ok


async def test_asyncio_cancel_of_the_caller_stops_the_worker(bench: WorkBench) -> None:
    task = asyncio.create_task(bench.cooperative("abandoned", seconds=5.0, timeout=10.0))
    await asyncio.to_thread(bench.in_command.wait, 1.0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    result = await bench.cooperative("next", 0.01, 1.0)
    assert result.ok and bench.log == ["next"]


async def test_queued_commands_run_in_submission_order(bench: WorkBench) -> None:
    labels = [f"c{i}" for i in range(8)]
    results = await asyncio.gather(*(bench.cooperative(label, 0.01, 5.0) for label in labels))
    assert all(r.ok for r in results)
    assert bench.log == labels


async def test_status_events_fire_on_each_transition(bench: WorkBench) -> None:
    before = len(states(bench.bus))
    await bench.cooperative("one", 0.01, 1.0)
    assert states(bench.bus)[before:] == ["busy", "online"]
    await bench.failing()
    assert states(bench.bus)[-2:] == ["busy", "hardware_error"]
    assert bench.status().last_error.startswith("I/O error")
    await bench.cooperative("two", 0.01, 1.0)
    assert states(bench.bus)[-2:] == ["busy", "online"]


async def test_dead_worker_is_reported_as_hardware_error_not_lost(bench: WorkBench) -> None:
    result = await asyncio.wait_for(bench.fatal(timeout=5.0), 1.0)
    assert result.code is CompletionCode.HARDWARE_ERROR
    assert "worker thread died" in result.description
    assert bench.status().state is DeviceState.HARDWARE_ERROR
    follow_up = await bench.cooperative("revived", 0.01, 1.0)
    assert follow_up.ok


async def test_commands_queued_behind_a_dying_worker_still_run(bench: WorkBench) -> None:
    fatal, survivor = await asyncio.gather(bench.fatal(timeout=2.0), bench.cooperative("queued", 0.01, 2.0))
    assert fatal.code is CompletionCode.HARDWARE_ERROR
    assert survivor.ok and survivor.data == "queued"


async def test_closed_device_refuses_commands(bench: WorkBench) -> None:
    await bench.close()
    result = await bench.cooperative("late", 0.01, 1.0)
    assert result.code is CompletionCode.DEVICE_NOT_READY
