"""DeviceService: the template every driver fills in (the pyscard ``transmit``/``doTransmit`` pattern).

Public async methods do the uniform work — queueing, timeout, cancellation, status, error mapping —
through the device's ``CommandRunner``; subclasses implement only blocking ``_do_*`` methods that
take a ``CancelToken``. Nothing is opened as a side effect of construction: ``open()`` does it.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.events import EventBus
from kiosk.terminal.runner import CancelToken, CommandRunner
from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus

T = TypeVar("T")


class DeviceService(abc.ABC):
    """Base of every device service. ``device_class`` names the contract it implements."""

    device_class: ClassVar[DeviceClass]
    default_timeout: float = 10.0

    def __init__(self, name: str, bus: EventBus, *, default_timeout: float | None = None) -> None:
        self.name = name
        self.bus = bus
        if default_timeout is not None:
            self.default_timeout = default_timeout
        self.runner = CommandRunner(name, self.device_class, bus, reset_hook=self._reset_after_hang)

    # ----- the uniform surface ----------------------------------------------------------------
    def status(self) -> DeviceStatus:
        return self.runner.status

    def capabilities(self) -> dict[str, Any]:
        """What this unit can do (ADF, max dpi, card types, cutter …)."""
        return {}

    async def open(self, timeout: float | None = None) -> Completion[None]:
        result = await self._execute("open", self._open_and_report, timeout)
        return result

    async def reset(self, timeout: float | None = None) -> Completion[None]:
        return await self._execute("reset", self._reset_and_report, timeout)

    async def close(self) -> None:
        """Release the device; safe to call twice."""
        await self._execute("close", lambda token: self._do_close(), 5.0)
        self.runner.close()

    def cancel(self, reason: str = "canceled") -> bool:
        """Cancel the running and queued commands (the idle timeout uses this)."""
        return self.runner.cancel_current(reason)

    async def _execute(self, command: str, work: Callable[[CancelToken], Any], timeout: float | None = None) -> Completion[Any]:
        return await self.runner.run(command, work, self.default_timeout if timeout is None else timeout)

    # ----- what drivers implement ---------------------------------------------------------------
    def _do_open(self, token: CancelToken) -> None:  # noqa: B027 - an optional hook: a device with nothing to open keeps the no-op
        """Open the transport and check the device answers. Raise a ``DeviceError`` if not."""

    def _do_close(self) -> None:  # noqa: B027 - an optional hook, like _do_open
        """Close the transport. Must not raise."""

    def _do_reset(self, token: CancelToken) -> None:
        self._do_close()
        self._do_open(token)

    # ----- glue --------------------------------------------------------------------------------
    def _open_and_report(self, token: CancelToken) -> None:
        self._do_open(token)
        self.runner.report(DeviceState.ONLINE)

    def _reset_and_report(self, token: CancelToken) -> None:
        self._do_reset(token)
        self.runner.report(DeviceState.ONLINE)

    def _reset_after_hang(self) -> None:
        """Called on a fresh worker after the previous one hung or died."""
        self._do_close()
        self._do_open(CancelToken(time.monotonic() + self.default_timeout))


class UnavailableDevice(DeviceService):
    """Stands in for a device whose library or driver could not be loaded: status says why."""

    def __init__(self, name: str, device_class: DeviceClass, bus: EventBus, reason: str) -> None:
        self.device_class = device_class  # type: ignore[misc]  # per-instance class for this stand-in
        super().__init__(name, bus)
        self.reason = reason
        self.runner.report(DeviceState.NO_DEVICE, reason)

    def capabilities(self) -> dict[str, Any]:
        return {"available": False, "reason": self.reason}

    async def open(self, timeout: float | None = None) -> Completion[None]:
        return Completion.failure(CompletionCode.DEVICE_NOT_READY, self.reason)

    async def reset(self, timeout: float | None = None) -> Completion[None]:
        return await self.open(timeout)

    def __getattr__(self, command: str) -> Callable[..., Any]:
        """Any contract command answers ``device_not_ready`` with the reason."""
        if command.startswith("_"):
            raise AttributeError(command)

        async def unavailable(*args: Any, **kwargs: Any) -> Completion[Any]:
            return Completion.failure(CompletionCode.DEVICE_NOT_READY, f"{command}: {self.reason}")

        return unavailable
