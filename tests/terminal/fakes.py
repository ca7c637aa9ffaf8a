"""A tiny device for exercising the runner: its commands are real blocking work on the worker thread.

This is not a mock of the code under test (the runner); it is a minimal driver, the same shape as
a real one, whose work we can make slow, stuck, failing or fatal on purpose.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from kiosk.errors import DeviceIOError
from kiosk.terminal import CancelToken, Completion, DeviceClass, DeviceService


class WorkBench(DeviceService):
    device_class = DeviceClass.SPEAKER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log: list[str] = []
        self.opens = 0
        self.closes = 0
        self.in_command = threading.Event()

    def _do_open(self, token: CancelToken) -> None:
        self.opens += 1

    def _do_close(self) -> None:
        self.closes += 1

    async def cooperative(self, label: str, seconds: float, timeout: float) -> Completion[str]:
        """Works in 5 ms slices, polling its token like a serial read loop does."""

        def work(token: CancelToken) -> str:
            self.in_command.set()
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                token.sleep(0.005)
            self.log.append(label)
            return label

        return await self._execute(f"cooperative:{label}", work, timeout)

    async def stuck(self, seconds: float, timeout: float) -> Completion[None]:
        """Ignores its token entirely, like a driver blocked in a C call."""

        def work(token: CancelToken) -> None:
            self.in_command.set()
            time.sleep(seconds)

        return await self._execute("stuck", work, timeout)

    async def failing(self, timeout: float = 1.0) -> Completion[None]:
        def work(token: CancelToken) -> None:
            raise DeviceIOError("port vanished")

        return await self._execute("failing", work, timeout)

    async def fatal(self, timeout: float = 1.0) -> Completion[None]:
        """Kills the worker thread itself (a BaseException escapes the command)."""

        def work(token: CancelToken) -> None:
            raise SystemExit("worker killed")

        return await self._execute("fatal", work, timeout)
