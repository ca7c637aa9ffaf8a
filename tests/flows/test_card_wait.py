"""Waiting for a card is event-driven: one read_card at the start, then one per MediaInserted from the
reader's poller — over the real 二代证 driver against the wire-level SAM emulator (tests/flows harness).

The 0.3 s read loop it replaces cost 20 status events and 24 INFO log lines per 3 s of waiting."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from kiosk.flows.identify import IdentifyFailed, wait_for_card
from kiosk.terminal.events import Event, StatusChanged
from kiosk.terminal.status import DeviceClass
from tests.flows.conftest import Harness


def counting_reader(harness: Harness, reads: list[int]) -> Any:
    reader = harness.sim.services.terminal.idcard

    async def read() -> Any:
        reads.append(1)
        return await reader.read_card(5.0)

    return read


def test_three_seconds_of_waiting_cost_one_read_and_almost_no_events_or_log_lines(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    terminal = harness.sim.services.terminal
    emulator = terminal.idcard.emulator  # type: ignore[union-attr]
    emulator.remove()  # nobody's card on the reader
    reads: list[int] = []
    statuses: list[Event] = []
    unsubscribe = terminal.bus.subscribe(statuses.append, (StatusChanged,))

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + 3.0
        with pytest.raises(IdentifyFailed) as left:
            await wait_for_card(terminal, DeviceClass.ID_CARD_READER, counting_reader(harness, reads), "读取身份证", lambda: loop.time() < until)
        assert left.value.citizen == "已退出"

    caplog.set_level(logging.INFO)
    try:
        harness.call(scenario)
    finally:
        unsubscribe()
        emulator.insert("zhangsan")
    statuses = [e for e in statuses if e.device == "idcard"]  # other devices' news (pcscd restarting …) is not the wait's cost
    lines = [r for r in caplog.records if r.levelno >= logging.INFO and "idcard" in r.getMessage()]
    print(f"3 s of waiting: {len(reads)} read(s), {len(statuses)} status event(s), {len(lines)} log line(s)",
          [e.new.state.value for e in statuses], [r.getMessage()[:80] for r in lines])  # type: ignore[attr-defined]
    assert len(reads) == 1
    assert len(statuses) <= 2  # the one read's busy → online
    assert len(lines) <= 2


def test_a_card_placed_while_waiting_is_read_once(harness: Harness) -> None:
    terminal = harness.sim.services.terminal
    emulator = terminal.idcard.emulator  # type: ignore[union-attr]
    emulator.remove()
    reads: list[int] = []

    async def scenario() -> Any:
        loop = asyncio.get_running_loop()
        loop.call_later(1.0, emulator.insert, "zhangsan")  # the citizen finds the card after a second
        return await wait_for_card(terminal, DeviceClass.ID_CARD_READER, counting_reader(harness, reads), "读取身份证", lambda: True, wait_s=20.0)

    card = harness.call(scenario)
    assert card.name == "张三"
    assert len(reads) == 2  # one at the start (no card yet), one for the MediaInserted


def test_a_card_lifted_mid_read_is_told_and_waited_for_not_a_fault(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = harness.sim.services.terminal
    emulator = terminal.idcard.emulator  # type: ignore[union-attr]
    answer = emulator._answer
    lift = [True]

    def lifted_during_the_read(command: tuple[int, int]) -> bytes:  # the citizen's hand: found, selected, gone at the read
        if command[0] == 0x30 and lift:
            lift.clear()
            emulator._card_id = None  # (the emulator's lock is held here: no remove())
        return answer(command)

    monkeypatch.setattr(emulator, "_answer", lifted_during_the_read)
    emulator.insert("zhangsan")
    reads: list[int] = []
    told: list[Any] = []

    async def scenario() -> Any:
        loop = asyncio.get_running_loop()

        async def moved(result: Any) -> None:  # the screen says "place it again"; the citizen puts it back
            told.append(result)
            loop.call_later(1.5, emulator.insert, "zhangsan")

        return await wait_for_card(terminal, DeviceClass.ID_CARD_READER, counting_reader(harness, reads), "读取身份证", lambda: True,
                                   wait_s=20.0, on_moved=moved)

    card = harness.call(scenario)
    assert card.name == "张三" and len(told) == 1 and len(reads) == 2
    assert told[0].code.value == "no_media" and told[0].action.value == "retry"  # SW3=41: card removed, not a fault
    assert terminal.idcard.status().state.value == "online"  # type: ignore[union-attr]


def test_a_card_taken_away_and_placed_again_between_two_polls_is_read(harness: Harness) -> None:
    """The poller last saw the card lying there; it was taken away and put back before the next poll, with
    the wait's first read in between (the reader empty). The read's "no card" must count as the reader
    seen empty, else the poller sees present → present, publishes nothing, and the citizen waits forever."""
    terminal = harness.sim.services.terminal
    reader = terminal.idcard
    assert reader is not None
    emulator = reader.emulator  # type: ignore[attr-defined]
    answers: list[Any] = []

    async def read() -> Any:
        answer = await reader.read_card(5.0)
        answers.append(answer)
        if len(answers) == 1:
            emulator.insert("zhangsan")  # placed again just after the first read found the reader empty
        return answer

    async def scenario() -> Any:
        await reader.stop_monitoring()  # the wait starts the poller again: its first poll comes 0.5 s later
        emulator.insert("zhangsan")
        await asyncio.to_thread(reader.poll_once)  # type: ignore[attr-defined]  # the poller saw the card lying there
        emulator.remove()  # taken away; no poll sees that
        return await wait_for_card(terminal, DeviceClass.ID_CARD_READER, read, "读取身份证", lambda: True, wait_s=6.0)

    try:
        card = harness.call(scenario)
    finally:
        emulator.insert("zhangsan")
    assert card.name == "张三"
    assert answers[0].code.value == "no_media" and len(answers) == 2
