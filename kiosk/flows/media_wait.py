"""Waiting for a card: one read now, then one read per MediaInserted from the reader's own poller.

Why not a read loop: re-issuing ``read_card`` every 0.3 s while a citizen looked for the card put 20
status events and 24 INFO log lines on the bus per 3 s, 7×24. The reader's poller (started by the
device supervisor; started here when nobody did) publishes MediaInserted on the absent→present edge, so
a wait costs one read at the start (a card already lying there) and one read per placed card. A reader
without a poller (no event will ever come) is re-read every ``REREAD_S`` instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.device import DeviceService
from kiosk.terminal.events import EventBus, EventStream, MediaInserted

log = logging.getLogger(__name__)
T = TypeVar("T")
ALIVE_CHECK_S = 0.5  # how soon a wait notices that the session ended (costs nothing on the bus or in the log)
REREAD_S = 2.0
Moved = Callable[[Completion[Any]], Awaitable[None]]


def _always() -> bool:
    return True


async def _ensure_poller(device: DeviceService | None) -> bool:
    """True when MediaInserted will come: the reader's poller runs (we start it if the supervisor did not)."""
    if device is None:
        return False
    if not device.monitoring:
        await device.start_monitoring()
    if not device.monitoring:
        log.info("%s has no card poller: re-reading every %.0f s while waiting for a card", device.name, REREAD_S)
    return device.monitoring


async def _inserted(stream: EventStream, device: str, within: float) -> bool:
    try:
        event = await stream.next(within)
    except TimeoutError:
        return False
    return event.device == device


async def until_inserted(bus: EventBus, device: DeviceService | None, read: Callable[[], Awaitable[Completion[T]]], wait_s: float,
                         alive: Callable[[], bool] = _always, on_moved: Moved | None = None) -> Completion[T]:
    """The first answer that is not NO_MEDIA; or the last NO_MEDIA once ``wait_s`` passed or ``alive()`` is False.

    A NO_MEDIA with action ``retry`` is a card lifted or moved mid-read: ``on_moved`` says so, and the wait
    goes on for the card to be placed again (never a device fault).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    stream = bus.stream(loop, (MediaInserted,))  # before the first read: a card placed during it is not missed
    try:
        polled = await _ensure_poller(device)
        name = device.name if device is not None else ""

        async def attempt() -> Completion[T]:
            answer = await read()
            if not answer.ok and answer.code is CompletionCode.NO_MEDIA and answer.action is RecoveryAction.RETRY and on_moved is not None:
                await on_moved(answer)
            return answer

        result = await attempt()
        while not result.ok and result.code is CompletionCode.NO_MEDIA and alive():
            left = deadline - loop.time()
            if left <= 0:
                break
            if polled:
                if not await _inserted(stream, name, min(left, ALIVE_CHECK_S)):
                    continue
            else:
                await asyncio.sleep(min(left, REREAD_S))
                if not alive():
                    break
            result = await attempt()
        return result
    finally:
        stream.close()
