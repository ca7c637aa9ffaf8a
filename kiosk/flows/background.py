"""BackgroundTasks: the owner of every task the flow layer starts and does not await on the spot.

Why: a bare ``loop.create_task(...)`` is fire-and-forget — nobody keeps the handle (the loop holds
only a weak reference, so it can even be collected mid-way), a failure is logged as "Task exception
was never retrieved" at some garbage-collection moment or not at all, and shutdown does not wait for
it: a session wipe started by 退出 could still be running when the process exits, leaving the
citizen's files on disk. Here every task is kept until it ends, a failure is logged with its name
when it happens, and ``aclose`` waits for what is still pending (then cancels what overstays).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self, name: str = "flow") -> None:
        self.name = name
        self._tasks: set[asyncio.Task[Any]] = set()
        self.failures = 0  # how many ended with an exception (logged each time)

    def spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run ``coroutine`` on the running loop, owned here until it ends."""
        task = asyncio.get_running_loop().create_task(coroutine, name=f"{self.name}:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.failures += 1
            log.error("background task %s failed", task.get_name(), exc_info=exc)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def aclose(self, timeout_s: float = 10.0) -> None:
        """Wait for the pending tasks (a wipe must finish before the process goes); cancel any that overstay.

        Tasks spawned while waiting (an ending session that starts another step) are waited for too."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._tasks:
            left = deadline - loop.time()
            _, late = await asyncio.wait(set(self._tasks), timeout=max(0.0, left))
            if late and loop.time() >= deadline:
                for task in late:
                    log.warning("background task %s still running at shutdown: cancelled", task.get_name())
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
                break
