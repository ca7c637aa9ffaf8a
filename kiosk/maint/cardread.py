"""Reading the technician card the moment it goes in: wait for the card to settle, then read.

Why: a card just placed or swapped is not yet stable for PC/SC. pcscd notices a new card only at
its next presence poll (~0.4 s) — until then the reader looks empty (``no_media``) — and if a card
was swapped for another (a citizen's 社保卡 left on the reader, then the technician's card), pcscd
still holds the old card's state and the first exchange fails with "Transaction failed"
(0x80100016, a ``hardware_error`` from the driver). Both are transient: wait one presence poll and
read again, within a few seconds. A card that answers but is not a maintenance card (``user_error``)
is final at once.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from kiosk.terminal.completion import Completion, CompletionCode

PATIENCE_S = 4.0  # how long a technician may take to put the card in after tapping 登录
SETTLE_S = 0.5  # a little more than pcscd's presence poll: the swap is seen after one poll
IO_RETRIES = 2  # transient exchange failures tolerated while the card settles
READ_TIMEOUT_S = 5.0


async def read_technician_card(reader: Any, *, patience_s: float | None = None, settle_s: float | None = None) -> Completion[str]:
    """The technician id on the card in ``reader``; retries while the card is settling, then gives the last answer."""
    patience = PATIENCE_S if patience_s is None else patience_s
    settle = SETTLE_S if settle_s is None else settle_s
    deadline = time.monotonic() + patience
    io_failures = 0
    while True:
        result: Completion[str] = await reader.read_technician_id(timeout=READ_TIMEOUT_S)
        if result.ok or time.monotonic() >= deadline:
            return result
        if result.code is CompletionCode.HARDWARE_ERROR and io_failures < IO_RETRIES:
            io_failures += 1
        elif result.code is not CompletionCode.NO_MEDIA:
            return result
        await asyncio.sleep(settle if result.code is CompletionCode.HARDWARE_ERROR else 0.2)
