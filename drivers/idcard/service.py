"""IdCardService: the 二代证 reader behind the device contract, and its ``serial:``/``sim:`` factories.

One lock guards the serial line: commands run on the runner's worker thread, the card poller on
its own thread (so polling does not flood the bus with busy/online status changes), and each
takes the lock for a whole exchange. A port that disappears (USB unplug) is closed, reported as
``no_device`` and reopened by the poller — or by the next command — when it comes back. The poller is
the driver's monitor (``start_monitoring``, started by the supervisor): it is what makes a reader
plugged in after start come online and an unplugged one show ``no_device`` within a poll or two, and
it publishes MediaInserted/MediaRemoved. One failed poll is not a fault; ``POLL_FAULT_LIMIT`` in a row are.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from drivers.idcard.layouts import parse_card
from drivers.idcard.options import IdCardOptions
from drivers.idcard.outcomes import sam_refused
from drivers.idcard.photo import WltDecoder, decode_photo, load_decoder
from drivers.idcard.sam import Sam, SamStatusError, Timeouts
from drivers.idcard.transport import SerialLink
from kiosk.errors import ConfigError, DeviceError, DeviceIOError, DeviceUnavailableError, InvalidDataError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.device import DeviceService
from kiosk.terminal.error_codes import IdCardError
from kiosk.terminal.events import EventBus, MediaInserted, MediaRemoved
from kiosk.terminal.media import IdCardData
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass, DeviceState

log = logging.getLogger(__name__)

NO_CARD = "no card on the reader (a card already read must be lifted and placed again)"
#: Failed polls in a row (a bad checksum, a silent answer) before the reader is reported ``hardware_error``.
POLL_FAULT_LIMIT = 3


class IdCardService(DeviceService):
    device_class = DeviceClass.ID_CARD_READER
    default_timeout = 5.0

    def __init__(
        self,
        name: str,
        bus: EventBus,
        port: str,
        *,
        baudrate: int = 115200,
        timeouts: Timeouts = Timeouts(),  # noqa: B008 — a frozen dataclass: one shared default is safe
        decoder: WltDecoder | None = None,
        extra_address: bool = True,
        default_timeout: float | None = None,
    ) -> None:
        super().__init__(name, bus, default_timeout=default_timeout)
        self.link = SerialLink(port, baudrate)
        self.sam = Sam(self.link, timeouts)
        self.decoder = decoder
        self.extra_address = extra_address
        self.sam_id = ""
        self._io = threading.RLock()
        self._card_present = False
        self._card_read = False
        self._port_fault = ""  # why the port is down, while it is
        self._poll_stop = threading.Event()
        self._poller: threading.Thread | None = None
        self._poll_faults = 0

    def capabilities(self) -> dict[str, Any]:
        return {
            "card_types": ["resident", "hmt_permit", "foreign_permanent"],
            "fingerprint": True,
            "photo_decoder": self.decoder is not None,
            "port": self.link.port,
            "baudrate": self.link.baudrate,
        }

    # ----- contract -----------------------------------------------------------------------------
    async def read_card(self, timeout: float | None = None, *, fingerprint: bool = False) -> Completion[IdCardData]:
        return await self._execute("read_card", lambda token: self._do_read_card(token, fingerprint), timeout)

    async def start_polling(self, interval_s: float = 0.5) -> None:
        if self._poller is not None and self._poller.is_alive():
            return
        self._poll_stop.clear()
        self._poller = threading.Thread(target=self._poll_loop, args=(interval_s,), name=f"poll-{self.name}", daemon=True)
        self._poller.start()

    async def stop_polling(self) -> None:
        poller, self._poller = self._poller, None
        self._poll_stop.set()
        if poller is not None:
            await asyncio.to_thread(poller.join, 5.0)

    async def start_monitoring(self) -> None:
        await self.start_polling()

    async def stop_monitoring(self) -> None:
        await self.stop_polling()

    @property
    def monitoring(self) -> bool:
        return self._poller is not None and self._poller.is_alive()

    async def close(self) -> None:
        await self.stop_polling()
        await super().close()

    # ----- worker side --------------------------------------------------------------------------
    @contextlib.contextmanager
    def _line(self, token: CancelToken) -> Iterator[None]:
        """Take the serial line from the poller, still honouring cancel and the deadline."""
        while not self._io.acquire(timeout=0.02):
            token.check()
        try:
            yield
        finally:
            self._io.release()

    def _do_open(self, token: CancelToken) -> None:
        with self._line(token):
            self._connect(token)

    def _do_close(self) -> None:
        if self._io.acquire(timeout=2.0):
            try:
                self.link.close()
            finally:
                self._io.release()
        else:  # the poller is stuck in an exchange; closing under it makes it fail fast
            self.link.close()

    def _do_probe(self, token: CancelToken) -> None:
        """Reopen a lost port, else ask the SAM for its status (one short exchange)."""
        with self._line(token):
            if not self.link.is_open:
                self._connect(token)
                return
            try:
                self.sam.check_status(token)
            except DeviceIOError as exc:
                self._port_lost(exc)
                raise

    def _do_reset(self, token: CancelToken) -> None:
        with self._line(token):
            self.link.close()
            self._connect(token)
            self.sam.reset(token)
            self._card_present = self._card_read = False

    def _connect(self, token: CancelToken) -> None:
        """Open the port and check the SAM answers; report why not, and raise."""
        try:
            self.link.open()
            self.sam.check_status(token)
            self.sam_id = self.sam.sam_id(token)
        except DeviceError as exc:
            self.link.close()
            self._port_fault = str(exc)
            gone = isinstance(exc, (DeviceUnavailableError, DeviceIOError))
            self.runner.report(DeviceState.NO_DEVICE if gone else DeviceState.HARDWARE_ERROR, f"{self.link.port}: {exc}")
            raise
        self._port_fault = ""
        self.runner.report(DeviceState.ONLINE, "", sam_id=self.sam_id, port=self.link.port)

    def _port_lost(self, exc: Exception) -> None:
        self.link.close()
        self._port_fault = f"{self.link.port} disappeared ({exc}); reopening"
        log.warning("idcard %s: %s", self.name, self._port_fault)
        self.runner.report(DeviceState.NO_DEVICE, self._port_fault)
        if self._card_present:
            self._set_card(False)

    def _do_read_card(self, token: CancelToken, fingerprint: bool) -> Completion[IdCardData]:
        with self._line(token):
            if not self.link.is_open:
                self._connect(token)
            try:
                if not self.sam.find(token):
                    if not (self._card_present and self._card_read and self.sam.select(token) is not None):
                        self._set_card(False)  # the reader seen empty: a card placed next is an edge for the poller
                    return Completion.failure(CompletionCode.NO_MEDIA, NO_CARD, error_code=IdCardError.NO_MEDIA)
                if self.sam.select(token) is None:
                    return Completion.failure(CompletionCode.NO_MEDIA, "card moved during selection: place it flat and keep it still",
                                              RecoveryAction.RETRY, error_code=IdCardError.CARD_REMOVED)
                raw = self.sam.read(token, fingerprint)
                extra = self._read_extra(token)
            except DeviceIOError as exc:
                self._port_lost(exc)
                raise
            except SamStatusError as exc:  # card lifted mid-read (41), not genuine (31/32) …: by code, see outcomes
                return sam_refused(exc)
            self._set_card(True, read=True)
        try:
            card = parse_card(raw.text, raw.photo, raw.fingerprint, extra)
        except InvalidDataError as exc:
            return Completion.failure(CompletionCode.INVALID_DATA, f"invalid data: {exc}", error_code=IdCardError.INVALID_MEDIA)
        jpeg, photo_status = decode_photo(self.decoder, raw.photo)
        if jpeg is not None:
            card = dataclasses.replace(card, photo_jpeg=jpeg)
        log.info("idcard %s: read %r (photo %s)", self.name, card, photo_status)
        return Completion.success(card, photo=photo_status)

    def _read_extra(self, token: CancelToken) -> str:
        if not self.extra_address:
            return ""
        try:
            return self.sam.read_extra_address(token) or ""
        except SamStatusError as exc:  # older SAMs may not know 30 03: the card itself was read fine
            log.info("idcard %s: no additional address: %s", self.name, exc)
            return ""

    def _set_card(self, present: bool, read: bool = False) -> None:
        was = self._card_present
        self._card_present, self._card_read = present, (read if present else False)
        if present and not was:
            self.bus.publish(MediaInserted(self.name, media="card"))
        elif was and not present:
            self.bus.publish(MediaRemoved(self.name, media="card"))

    # ----- poller -------------------------------------------------------------------------------
    def _poll_loop(self, interval_s: float) -> None:
        while not self._poll_stop.wait(interval_s):
            try:
                self.poll_once()
            except Exception:  # the poller must never die silently
                log.exception("idcard %s: poll failed", self.name)

    def poll_once(self) -> None:
        """One presence check: reopen a lost port, then find (and select for a card already read)."""
        if not self._io.acquire(timeout=0.05):
            return  # a command holds the line; it keeps the card state itself
        try:
            token = CancelToken(time.monotonic() + 2.0)
            if not self.link.is_open:
                try:
                    self._connect(token)  # reports why not (once: an unchanged status is not re-published)
                except DeviceError:
                    return
            try:
                present = self.sam.find(token)
                if present and self._card_present and self._card_read:
                    self._set_card(False)  # lifted and placed again between two polls
                elif not present and self._card_present and self._card_read:
                    # [U] a card already read fails find until lifted; select tells if it is still there
                    present = self.sam.select(token) is not None
                    if present:
                        return
            except DeviceIOError as exc:
                self._port_lost(exc)
                return
            except DeviceError as exc:
                self._poll_faults += 1
                if self._poll_faults >= POLL_FAULT_LIMIT:
                    self.runner.report(DeviceState.HARDWARE_ERROR, f"reader not answering polls ({self._poll_faults} in a row): {exc}")
                    self._port_fault = str(exc)
                return
            self._poll_faults = 0
            if self._port_fault:
                self._port_fault = ""
                self.runner.report(DeviceState.ONLINE, "")
            self._set_card(present)
        finally:
            self._io.release()


def service_kwargs(spec: DeviceSpec, opts: IdCardOptions) -> dict[str, Any]:
    return {
        "baudrate": opts.baud,
        "timeouts": Timeouts(control_s=opts.control_timeout_s, find_s=opts.find_timeout_s, read_s=opts.read_timeout_s),
        "decoder": load_decoder(opts.wlt_decoder),
        "extra_address": opts.extra_address,
        "default_timeout": spec.timeout_s,
    }


@takes_options(IdCardOptions)
def build(spec: DeviceSpec, bus: EventBus) -> IdCardService:
    """``serial:///dev/kiosk-idcard?baud=115200`` → the driver on a real port (not opened yet)."""
    opts = options_for(spec, IdCardOptions)
    port = spec.url.target or opts.port
    if not port:
        raise ConfigError(f"devices.{spec.name}: serial URL names no port (e.g. serial:///dev/kiosk-idcard)")
    return IdCardService(spec.name, bus, port, **service_kwargs(spec, opts))
