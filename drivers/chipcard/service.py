"""ChipCardService: the 社保卡 reader over PC/SC (pyscard + pcscd), and its ``pcsc:`` factory.

``read_card`` selects the SSSE application by name and reads EF05 (card basic) and EF06 (personal)
records; ``read_technician_id`` reads our maintenance card. Expected outcomes are completions:
no card → ``no_media``; pcscd down → ``device_not_ready`` with status OFFLINE; reader gone →
``device_not_ready`` with status NO_DEVICE; a card that is not a 社保卡 → ``user_error``; each with a
``ChipCardError`` code. A ``CardMonitor`` thread (the driver's monitor: started on open and by
``start_monitoring``) publishes MediaInserted/MediaRemoved and the pcscd/reader status, so a reader
that appears or vanishes is reported within a monitor poll; ``_do_probe`` lists the readers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from drivers.chipcard import protocol as P
from drivers.chipcard.monitor import CardMonitor
from drivers.chipcard.options import ChipCardOptions
from drivers.chipcard.reading import read_social_security_card, read_technician
from drivers.chipcard.transport import CardAbsent, CardSession, Pcsc, PcscdDown, ReaderMissing, pick_reader
from kiosk.errors import InvalidDataError, ProtocolError
from kiosk.privacy import mask_id_number
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.device import DeviceService
from kiosk.terminal.error_codes import ChipCardError
from kiosk.terminal.events import EventBus, MediaInserted, MediaRemoved
from kiosk.terminal.media import SocialSecurityCard
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass, DeviceState

log = logging.getLogger(__name__)
T = TypeVar("T")
MONITOR_POLL_MS = 500


class ReaderBackend(Protocol):
    """Something that must run for the reader to exist (the simulators' pcscd + virtual card), started on open."""

    card: Any

    def start(self, token: CancelToken) -> None: ...

    def stop(self) -> None: ...


class ChipCardService(DeviceService):
    """社保卡 reader. ``reader``: exact name or a substring; empty means the first reader with a card."""

    device_class = DeviceClass.CHIP_CARD_READER

    def __init__(self, name: str, bus: EventBus, *, reader: str = "", default_timeout: float | None = None, monitor: bool = True,
                 sim: ReaderBackend | None = None) -> None:
        super().__init__(name, bus, default_timeout=default_timeout)
        self.reader = reader
        self.pcsc = Pcsc()  # the wire seam: record/replay (drivers/replay) put their own here
        self.sim = sim  # set by the sim: factory: our pcscd + virtual card, started on open
        self.emulator = sim.card if sim is not None else None
        # a card placed wakes the monitor at once; poll_ms only paces re-listing readers (hot-plug): 0.5 s keeps
        # the idle cost near 0.2 % of a core (0.4 % at 0.2 s, bench/bench_supervisor.py) and replug well under 5 s
        self._monitor = CardMonitor(self, self._wanted, poll_ms=MONITOR_POLL_MS) if monitor else None
        self._service_up: bool | None = None
        self._readers: list[str] = []

    def capabilities(self) -> dict[str, Any]:
        return {"available": True, "reader": self.reader or "any", "cards": ["social_security", "technician"], "monitor": self._monitor is not None}

    @property
    def monitor_alive(self) -> bool:
        return self._monitor is not None and self._monitor.alive

    # ----- contract -----------------------------------------------------------------------------
    async def read_card(self, timeout: float | None = None) -> Completion[SocialSecurityCard]:
        return await self._execute("read_card", self._do_read_card, timeout)

    async def list_readers(self, timeout: float | None = None) -> Completion[list[str]]:
        return await self._execute("list_readers", self._do_list_readers, timeout)

    async def read_technician_id(self, timeout: float | None = None) -> Completion[str]:
        """The technician id on a maintenance card (issue 8 pairs it with a PIN)."""
        return await self._execute("read_technician_id", self._do_read_technician, timeout)

    # ----- supervision --------------------------------------------------------------------------
    async def start_monitoring(self) -> None:
        if self._monitor is not None and not self._monitor.alive:
            self._monitor.start()

    async def stop_monitoring(self) -> None:
        if self._monitor is not None:
            await asyncio.to_thread(self._monitor.stop)

    @property
    def monitoring(self) -> bool:
        return self.monitor_alive

    def _do_probe(self, token: CancelToken) -> None:
        """pcscd answers and the reader is listed (no card access: a citizen's card is left alone)."""
        try:
            readers = self.pcsc.list_readers()
        except PcscdDown:
            self.runner.report(DeviceState.OFFLINE, "pcscd not running", pcscd="down")
            raise
        if not pick_reader(readers, self.reader):
            self.runner.report(DeviceState.NO_DEVICE, f"reader {self.reader or '(any)'} not present", pcscd="up")
            raise ReaderMissing(f"no PC/SC reader matching {self.reader!r}")

    # ----- lifecycle ----------------------------------------------------------------------------
    def _do_open(self, token: CancelToken) -> None:
        if self.sim is not None:
            self.sim.start(token)
        if self._monitor is not None:
            self._monitor.start()
        try:
            readers = self.pcsc.list_readers()
        except PcscdDown:
            self.runner.report(DeviceState.OFFLINE, "pcscd not running", pcscd="down")
            raise
        if not pick_reader(readers, self.reader):
            self.runner.report(DeviceState.NO_DEVICE, f"reader {self.reader or '(any)'} not found")
            raise ReaderMissing(f"no PC/SC reader matching {self.reader!r} (have: {', '.join(readers) or 'none'})")

    def _do_close(self) -> None:
        if self._monitor is not None:
            self._monitor.stop()
        if self.sim is not None:
            self.sim.stop()

    # ----- commands (worker thread) -------------------------------------------------------------
    def _do_list_readers(self, token: CancelToken) -> list[str] | Completion[list[str]]:
        try:
            return self.pcsc.list_readers()
        except PcscdDown as exc:
            return self._pcscd_down(exc)

    def _do_read_card(self, token: CancelToken) -> SocialSecurityCard | Completion[SocialSecurityCard]:
        def read(session: CardSession) -> SocialSecurityCard:
            return read_social_security_card(session.transmit, token, reader=session.reader)

        outcome = self._with_card(token, read)
        if isinstance(outcome, SocialSecurityCard):
            log.info("chipcard %s: read card of %s", self.name, mask_id_number(outcome.social_security_number))
        return outcome

    def _do_read_technician(self, token: CancelToken) -> str | Completion[str]:
        return self._with_card(token, lambda session: read_technician(session.transmit, token))

    def _with_card(self, token: CancelToken, work: Callable[[CardSession], T]) -> T | Completion[T]:
        """Find the reader, connect, run ``work(session)``; expected failures become completions."""
        try:
            readers = pick_reader(self.pcsc.list_readers(), self.reader)
            if not readers:
                self.runner.report(DeviceState.NO_DEVICE, f"reader {self.reader or '(any)'} not found")
                return Completion.failure(CompletionCode.DEVICE_NOT_READY, f"no PC/SC reader matching {self.reader!r}",
                                          error_code=ChipCardError.NO_READER)
            for reader in readers:
                token.check()
                try:
                    session = self.pcsc.session(reader)
                    session.connect()
                except CardAbsent:
                    continue
                try:  # the session stays referenced until closed (pyscard context gotcha)
                    result = work(session)
                finally:
                    session.close()
                self.runner.report(DeviceState.ONLINE)
                return result
            return Completion.failure(CompletionCode.NO_MEDIA, "no card on the reader", error_code=ChipCardError.NO_MEDIA)
        except CardAbsent as exc:
            return Completion.failure(CompletionCode.NO_MEDIA, f"card removed during the read ({exc})", RecoveryAction.RETRY,
                                      error_code=ChipCardError.CARD_REMOVED)
        except PcscdDown as exc:
            return self._pcscd_down(exc)
        except ReaderMissing as exc:
            self.runner.report(DeviceState.NO_DEVICE, str(exc))
            return Completion.failure(CompletionCode.DEVICE_NOT_READY, str(exc), error_code=ChipCardError.NO_READER)
        except P.WrongCard as exc:
            return Completion.failure(CompletionCode.USER_ERROR, str(exc), RecoveryAction.CLEAR, error_code=ChipCardError.INVALID_MEDIA,
                                      card=exc.card)
        except InvalidDataError as exc:  # a record that does not decode, an ID number that fails its check digit
            return Completion.failure(CompletionCode.INVALID_DATA, f"invalid data: {exc}", error_code=ChipCardError.INVALID_DATA)
        except ProtocolError as exc:  # an unexpected status word mid-sequence: one retry usually reads it (transient)
            return Completion.failure(CompletionCode.HARDWARE_ERROR, f"protocol error: {exc}", RecoveryAction.RETRY,
                                      error_code=ChipCardError.INVALID_DATA)

    def _pcscd_down(self, exc: Exception) -> Completion[Any]:
        self.runner.report(DeviceState.OFFLINE, "pcscd not running", pcscd="down")
        return Completion.failure(CompletionCode.DEVICE_NOT_READY, str(exc), RecoveryAction.RESET, error_code=ChipCardError.SERVICE_DOWN)

    # ----- monitor listener (monitor thread) ----------------------------------------------------
    def _wanted(self, reader: str) -> bool:
        return not self.reader or bool(pick_reader([reader], self.reader))

    def service_changed(self, up: bool, detail: str) -> None:
        self._service_up = up
        self._refresh_status(detail)

    def readers_changed(self, readers: list[str]) -> None:
        self._readers = readers
        if self._service_up:
            self._refresh_status("")

    def card_changed(self, reader: str, present: bool, atr: bytes) -> None:
        if present:
            self.bus.publish(MediaInserted(self.name, media="card", detail={"reader": reader, "atr": atr.hex()}))
        else:
            self.bus.publish(MediaRemoved(self.name, media="card"))

    def monitor_failed(self, error: str) -> None:
        self.runner.report(DeviceState.HARDWARE_ERROR, f"card monitor restarting: {error}")

    def _refresh_status(self, detail: str) -> None:
        if not self._service_up:
            self.runner.report(DeviceState.OFFLINE, detail or "pcscd not running", pcscd="down")
        elif not self._readers:
            self.runner.report(DeviceState.NO_DEVICE, f"reader {self.reader or '(any)'} not present", pcscd="up")
        else:
            self.runner.report(DeviceState.ONLINE, "", pcscd="up", readers=list(self._readers))


@takes_options(ChipCardOptions)
def build(spec: DeviceSpec, bus: EventBus) -> ChipCardService:
    """``pcsc:?reader=NAME`` (or ``pcsc:NAME``): a real PC/SC reader through the system's pcscd."""
    reader = options_for(spec, ChipCardOptions).reader or spec.url.target
    return ChipCardService(spec.name, bus, reader=reader, default_timeout=spec.timeout_s)
