"""Request ids (XFS4IoT requestId): on every completion, on the events a command causes, and cancel by id."""

from __future__ import annotations

import asyncio

from kiosk.terminal import EventBus, StatusChanged
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.requests import new_request_id, request_scope
from tests.terminal.fakes import WorkBench


async def test_each_command_gets_its_own_id_and_its_events_carry_it() -> None:
    bus = EventBus()
    bench = WorkBench("speaker", bus)
    await bench.open()
    first = await bench.cooperative("a", 0.01, 1.0)
    second = await bench.cooperative("b", 0.01, 1.0)
    assert first.ok and second.ok and 0 < first.request_id < second.request_id
    busy = [e for e in bus.recent((StatusChanged,)) if isinstance(e, StatusChanged) and e.new.description == "cooperative:b"]
    assert busy and busy[0].request_id == second.request_id
    await bench.close()


async def test_a_scope_names_the_id_before_the_command_ends_and_cancel_takes_only_that_one() -> None:
    bus = EventBus()
    bench = WorkBench("speaker", bus)
    await bench.open()
    with request_scope() as slow_id:
        slow = asyncio.create_task(bench.cooperative("slow", 2.0, 5.0))
    await asyncio.sleep(0)  # the task reads the scope's id when it starts
    with request_scope(new_request_id()) as queued_id:
        queued = asyncio.create_task(bench.cooperative("queued", 0.01, 5.0))
    await asyncio.to_thread(bench.in_command.wait, 2.0)
    assert [rid for rid, _ in bench.pending()] == [slow_id, queued_id]
    assert bench.cancel("operator", request_id=queued_id)
    assert not bench.cancel("operator", request_id=10**9)  # an unknown id cancels nothing
    canceled = await queued
    assert canceled.code is CompletionCode.CANCELED and canceled.request_id == queued_id
    assert not slow.done()
    assert bench.cancel("operator", request_id=slow_id)
    stopped = await slow
    assert stopped.code is CompletionCode.CANCELED and stopped.request_id == slow_id
    assert bench.pending() == []
    await bench.close()
