"""IdleTimer: no touch for ``timeout_s`` → a countdown warning for ``warning_s`` → the session ends.

Elder mode multiplies both by ``elder_factor``. It runs as its own asyncio task so it fires even
while the controller is awaiting a device command (that command is then cancelled by the session
end via ``Terminal.cancel_all``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class IdleTimer:
    def __init__(self, timeout_s: float, warning_s: float, elder_factor: float,
                 on_warning: Callable[[int], None], on_expired: Callable[[], Awaitable[None]]) -> None:
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self.elder_factor = elder_factor
        self.on_warning = on_warning
        self.on_expired = on_expired
        self.warning_shown = False
        self._factor = 1.0
        self._last = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._last = time.monotonic()
        self.warning_shown = False
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="idle-timer")

    def touch(self, elder: bool = False) -> None:
        self._factor = self.elder_factor if elder else 1.0
        self._last = time.monotonic()
        self.warning_shown = False

    def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task() and not task.done():
            task.cancel()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        shown = -1
        while True:
            timeout, warning = self.timeout_s * self._factor, self.warning_s * self._factor
            idle = time.monotonic() - self._last
            if idle < timeout:
                shown = -1
                await asyncio.sleep(min(timeout - idle, 1.0))
                continue
            left = timeout + warning - idle
            if left <= 0:
                self._task = None
                await self.on_expired()
                return
            seconds = math.ceil(left)
            if seconds != shown:
                shown = seconds
                self.warning_shown = True
                self.on_warning(seconds)
            await asyncio.sleep(min(left, left - (seconds - 1) if seconds > 1 else left, 1.0))
