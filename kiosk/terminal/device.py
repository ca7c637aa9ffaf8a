"""DeviceService: the template every driver fills in (the pyscard ``transmit``/``doTransmit`` pattern).

Public async methods do the uniform work — queueing, timeout, cancellation, status, error mapping —
through the device's ``CommandRunner``; subclasses implement only blocking ``_do_*`` methods that
take a ``CancelToken``. Nothing is opened as a side effect of construction: ``open()`` does it.

For the supervisor (kiosk.terminal.supervisor) every class offers the same three hooks: ``probe()`` — a
cheap, quiet health check through ``_do_probe`` (a driver without one answers ``unsupported`` and is
judged by its commands) —, ``reopen()`` — a quiet ``open`` after ``no_device`` —, and
``start_monitoring()``/``stop_monitoring()`` — the driver's own poller or monitor (card presence,
hot-plug) that publishes MediaInserted/MediaRemoved and keeps the status truthful between commands.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.error_codes import CommonError
from kiosk.terminal.events import EventBus
from kiosk.terminal.runner import CommandRunner
from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus

T = TypeVar("T")


class DeviceService(abc.ABC):
    """Base of every device service. ``device_class`` names the contract it implements."""

    device_class: ClassVar[DeviceClass]
    default_timeout: float = 10.0
    #: Seconds a probe may take (it runs between citizens' commands, it must be cheap).
    probe_timeout: float = 2.0

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

    async def reset(self, timeout: float | None = None, *, quiet: bool = False) -> Completion[None]:
        """Reset the device; ``quiet`` (the supervisor's retries) shows no busy and logs only a change of state."""
        return await self._execute("reset", self._reset_and_report, timeout, quiet=quiet)

    async def close(self) -> None:
        """Release the device; safe to call twice."""
        await self._execute("close", lambda token: self._do_close(), 5.0)
        self.runner.close()

    def cancel(self, reason: str = "canceled", *, request_id: int | None = None) -> bool:
        """Cancel the command ``request_id`` — or, without one, every running and queued command (the idle
        timeout uses this). True if something was canceled."""
        if request_id is not None:
            return self.runner.cancel_request(request_id, reason)
        return self.runner.cancel_current(reason)

    def pending(self) -> list[tuple[int, str]]:
        """(request id, command) of the commands queued or running."""
        return self.runner.pending()

    # ----- supervision hooks ------------------------------------------------------------------
    @property
    def probes(self) -> bool:
        """Whether this driver has a health probe (``_do_probe``)."""
        return type(self)._do_probe is not DeviceService._do_probe

    async def probe(self, timeout: float | None = None) -> Completion[None]:
        """A cheap health check that shows no ``busy`` and logs only a change of state."""
        if not self.probes:
            return Completion.failure(CompletionCode.UNSUPPORTED, f"{self.name}: no probe")
        return await self._execute("probe", self._do_probe, self.probe_timeout if timeout is None else timeout, quiet=True)

    async def reopen(self, timeout: float | None = None) -> Completion[None]:
        """``open`` for the supervisor after ``no_device``/offline: quiet, so retrying an absent device is silent."""
        return await self._execute("open", self._open_and_report, timeout, quiet=True)

    async def start_monitoring(self) -> None:  # noqa: B027 - an optional hook: most classes have no poller
        """Start the driver's poller/monitor (card presence, hot-plug); idempotent."""

    async def stop_monitoring(self) -> None:  # noqa: B027 - an optional hook, like start_monitoring
        """Stop what start_monitoring started; safe to call twice."""

    @property
    def monitoring(self) -> bool:
        """True while the driver's own poller/monitor runs (and keeps the status truthful itself)."""
        return False

    async def _execute(self, command: str, work: Callable[[CancelToken], Any], timeout: float | None = None, *,
                       quiet: bool = False) -> Completion[Any]:
        return await self.runner.run(command, work, self.default_timeout if timeout is None else timeout, quiet=quiet)

    # ----- what drivers implement ---------------------------------------------------------------
    def _do_open(self, token: CancelToken) -> None:  # noqa: B027 - an optional hook: a device with nothing to open keeps the no-op
        """Open the transport and check the device answers. Raise a ``DeviceError`` if not."""

    def _do_close(self) -> None:  # noqa: B027 - an optional hook, like _do_open
        """Close the transport. Must not raise."""

    def _do_reset(self, token: CancelToken) -> None:
        self._do_close()
        self._do_open(token)

    def _do_probe(self, token: CancelToken) -> Completion[None] | None:
        """Check the device answers, cheaply (a status request, a reader listing); report what is found, and raise
        a ``DeviceError`` (or return a failed Completion) if it is not well. Not overridden: the class has no probe."""
        return None

    # ----- glue --------------------------------------------------------------------------------
    # Open and reset never report ONLINE themselves: the runner rests the device ONLINE after a
    # successful command only if the driver reported nothing else during it (paper out at open stays
    # paper out, ``kiosk doctor`` must not say ok).
    def _open_and_report(self, token: CancelToken) -> None:
        self._do_open(token)

    def _reset_and_report(self, token: CancelToken) -> None:
        self._do_reset(token)

    def _reset_after_hang(self) -> None:
        """Called on a fresh worker after the previous one hung or died."""
        self._do_close()
        self._do_open(CancelToken(time.monotonic() + self.default_timeout))


class UnavailableDevice(DeviceService):
    """Stands in for a device whose library, driver or options are wrong: status says why, and the recovery
    action is ``configuration`` (no reset or re-open can help; the supervisor leaves it alone)."""

    def __init__(self, name: str, device_class: DeviceClass, bus: EventBus, reason: str) -> None:
        self.device_class = device_class  # type: ignore[misc]  # per-instance class for this stand-in
        super().__init__(name, bus)
        self.reason = reason
        self.runner.report(DeviceState.NO_DEVICE, reason)
        self.runner.require_action(RecoveryAction.CONFIGURATION, reason)

    def capabilities(self) -> dict[str, Any]:
        return {"available": False, "reason": self.reason}

    def _unavailable(self, what: str) -> Completion[Any]:
        return Completion.failure(CompletionCode.DEVICE_NOT_READY, what, RecoveryAction.CONFIGURATION, error_code=CommonError.CONFIGURATION)

    async def open(self, timeout: float | None = None) -> Completion[None]:
        return self._unavailable(self.reason)

    async def reopen(self, timeout: float | None = None) -> Completion[None]:
        return self._unavailable(self.reason)

    async def probe(self, timeout: float | None = None) -> Completion[None]:
        return self._unavailable(self.reason)

    async def reset(self, timeout: float | None = None, *, quiet: bool = False) -> Completion[None]:
        return await self.open(timeout)

    def __getattr__(self, command: str) -> Callable[..., Any]:
        """Any contract command answers ``device_not_ready`` with the reason."""
        if command.startswith("_"):
            raise AttributeError(command)

        async def unavailable(*args: Any, **kwargs: Any) -> Completion[Any]:
            return self._unavailable(f"{command}: {self.reason}")

        return unavailable
