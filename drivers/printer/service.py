"""ReceiptPrinter service: prints ``ReceiptDocument``s over ESC/POS and keeps the paper status honest.

Why status first, and again after: a receipt sent to a printer without paper is lost without a trace.
``print_document`` asks DLE EOT before sending (paper out or cover open: action CLEAR, the document is
not consumed, the flow can send it again), between chunks and after the job: a roll that ended mid-job
is ``no_media`` saying how much went out, a head that answered before and is silent after is a
``timeout`` — never success. A peer that takes the connection but never answers is not ``online``. A
dropped connection (power cycle) is reopened and the job re-sent whole. On kiosk heads with a paper
presenter the job ends when the citizen takes the receipt (MediaPresented, MediaTaken events).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

from drivers.printer import protocol as P
from drivers.printer.encoder import Encoder, PrinterProfile
from drivers.printer.options import PrinterOptions
from drivers.printer.outcomes import MSG_FAULT, job_outcome, refusal, resting_state
from drivers.printer.outcomes import MSG_PAPER_OUT as MSG_PAPER_OUT  # re-exported: the UI tests name it here
from drivers.printer.presenter import Presenter
from drivers.printer.tokens import tokenize
from drivers.printer.transport import EscposTransport, transport_for_url
from kiosk.errors import ConfigError, DeviceIOError, DeviceTimeoutError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.device import DeviceService
from kiosk.terminal.error_codes import PrinterError
from kiosk.terminal.events import EventBus, Threshold
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.receipt import ReceiptDocument
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus

log = logging.getLogger(__name__)
MONITOR_INTERVAL_S = 2.5  # status poll under the supervisor (0.03 % of a core idle): paper loaded / head back within it
CHUNK = 4096  # bytes per write, so a cancel lands between chunks and a roll that ends mid-job is seen there


class EscPosPrinter(DeviceService):
    device_class = DeviceClass.RECEIPT_PRINTER

    def __init__(self, name: str, bus: EventBus, transport: EscposTransport, profile: PrinterProfile,
                 *, status_timeout_s: float = 0.3, require_status: bool = True, presenter: bool = False, take_timeout_s: float = 15.0,
                 default_timeout: float | None = None, logo: Any = None) -> None:
        super().__init__(name, bus, default_timeout=default_timeout)
        self.transport = transport
        self.profile = profile
        self.encoder = Encoder(profile, logo)
        self.status_timeout_s = status_timeout_s
        self.require_status = require_status
        self.presenter = presenter and transport.can_read
        self.take_timeout_s = take_timeout_s
        self._presenter_watch = Presenter(name, bus, transport, status_timeout_s, take_timeout_s)
        self.last_state: PrinterState = P.UNKNOWN_STATE
        self.emulator: Any = None  # set by the simulators' sim: factory
        self._poller: asyncio.Task[None] | None = None

    def capabilities(self) -> dict[str, Any]:
        p = self.profile
        return {"paper": p.name, "columns": p.cols, "dots": p.dots, "encoding": p.encoding, "font_charset": p.charset,
                "raster_fallback": True, "native_qr": p.native_qr, "cutter": p.cutter, "status": self.transport.can_read,
                "require_status": self.require_status, "presenter": self.presenter, "reports_taken": self.presenter,
                "transport": self.transport.kind}

    # ----- contract --------------------------------------------------------------------------
    async def print_document(self, document: ReceiptDocument, timeout: float | None = None) -> Completion[None]:
        try:
            data = self.encoder.encode(document)
        except (ValueError, TypeError) as exc:  # bad input: say so, print nothing
            return Completion.failure(CompletionCode.INVALID_DATA, f"cannot encode receipt: {exc}", RecoveryAction.MAINTENANCE,
                                      error_code=PrinterError.CHAR_SET_DATA)
        return await self._execute("print_document", lambda token: self._do_print(token, data), timeout)

    async def print_bytes(self, data: bytes, timeout: float | None = None) -> Completion[None]:
        """Send pre-encoded ESC/POS (technician tools, image-mode receipts), with the same status checks."""
        return await self._execute("print_bytes", lambda token: self._do_print(token, data), timeout)

    async def start_polling(self, interval_s: float = 30.0) -> None:
        """Refresh the status every ``interval_s`` so paper near end/out shows before a citizen needs a receipt."""
        await self.stop_polling()

        async def poll() -> None:
            while True:
                await asyncio.sleep(interval_s)
                # quiet: no busy status and no failure log every poll while the head is off; changes are still logged once
                await self._execute("refresh_status", self._do_refresh, max(1.5, 5 * self.status_timeout_s), quiet=True)

        self._poller = asyncio.get_running_loop().create_task(poll(), name=f"printer-poll-{self.name}")

    async def stop_polling(self) -> None:
        task, self._poller = self._poller, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def start_monitoring(self) -> None:
        """The supervisor's hook: poll every MONITOR_INTERVAL_S, so paper loaded or a head back on shows within it."""
        if self._poller is None:
            await self.start_polling(MONITOR_INTERVAL_S)

    async def stop_monitoring(self) -> None:
        await self.stop_polling()

    @property
    def monitoring(self) -> bool:
        return self._poller is not None

    async def close(self) -> None:
        await self.stop_polling()
        await super().close()

    def preview_png(self, document: ReceiptDocument) -> bytes:
        """The receipt as this printer would print it (the bytes we send, rendered), for the on-screen preview."""
        from drivers.printer.render import render

        return render(self.encoder.encode(document), width_dots=self.profile.dots, encoding=self.profile.encoding).png()

    async def refresh_status(self, timeout: float | None = None) -> Completion[DeviceStatus]:
        return await self._execute("refresh_status", self._do_refresh, timeout)

    # ----- worker side: open, probe, status ----------------------------------------------------
    def _do_open(self, token: CancelToken) -> None:
        self.transport.close()  # a re-open (the supervisor's) starts from a fresh connection
        self._connect(min(3.0, max(0.2, token.remaining())))
        self._check_answers(token)

    def _do_probe(self, token: CancelToken) -> None:
        """The supervisor's health check: one real-time status request (reconnecting once if the link dropped)."""
        if self.transport.is_open:
            try:
                self._check_answers(token)
                return
            except DeviceIOError as exc:  # the printer closed the connection since (power cycle, cable)
                log.info("printer %s: %s; probing on a new connection", self.name, exc)
                self.transport.close()
        self._connect(min(1.0, max(0.05, token.remaining())))
        self._check_answers(token)

    def _connect(self, timeout_s: float) -> None:
        """Open the transport; a printer that refuses or does not take the connection is ``offline`` (switched off,
        cable out) — the supervisor keeps re-opening it — never ``online``."""
        try:
            self.transport.open(timeout_s)
        except DeviceIOError as exc:
            self.runner.report(DeviceState.OFFLINE, f"not reachable: {exc}")
            raise

    def _check_answers(self, token: CancelToken) -> None:
        """Ask DLE EOT and report what it says. A peer that takes the connection and never answers is not a
        printer we may call online (unless ``require_status`` is off: a head without a return channel)."""
        state = self._query_state(token)
        if not state.answered and self.transport.can_read and token.remaining() > 2 * self.status_timeout_s:
            state = self._query_state(token)  # one late answer (a loaded host, a busy head) is not yet silence
        self._apply_state(state)
        self._raise_if_mute(state)

    def _raise_if_mute(self, state: P.PrinterState) -> None:
        if self.transport.can_read and self.require_status and not state.answered:
            self.transport.close()
            raise DeviceTimeoutError(f"{self.transport.describe}: connected, but no answer to DLE EOT within {self.status_timeout_s} s")

    def _do_close(self) -> None:
        self.transport.close()

    def _do_refresh(self, token: CancelToken) -> Completion[DeviceStatus]:
        state = self._checked_state(token)
        if not state.answered and self.transport.can_read and token.remaining() > 2 * self.status_timeout_s:
            state = self._query_state(token)  # asked twice before it counts as silence, as in _check_answers
        s = self._apply_state(state)
        self._raise_if_mute(state)
        return Completion.success(s, f"paper {state.paper}", **state.to_json())

    # ----- worker side: printing --------------------------------------------------------------
    def _do_print(self, token: CancelToken, data: bytes) -> Completion[None]:
        state = self._checked_state(token)
        self._apply_state(state)
        stop = refusal(state, self.require_status and self.transport.can_read)
        if stop is not None:
            return stop
        for attempt in (1, 2):
            try:
                stopped = self._send(token, data, watch=state.answered)
                break
            except DeviceIOError as exc:
                if attempt == 2:
                    raise
                log.warning("printer %s: %s; reconnecting and sending the whole receipt again", self.name, exc)
                self._reconnect(token)
                state = self._query_state(token)  # it may have come back without paper
                self._apply_state(state)
                stop = refusal(state, self.require_status and self.transport.can_read)
                if stop is not None:
                    return stop
        if stopped is not None:
            return stopped
        if not self.transport.can_read or not state.answered:  # a head that cannot answer: sent is all we know
            return Completion.success(None, f"{len(data)} bytes sent (no status from this printer)", bytes=len(data), paper=state.paper)
        try:
            after = self._state_after_job(token)
        except DeviceIOError as exc:  # the printer went away while taking the job: reconnect next time
            log.warning("printer %s: connection lost after sending a job: %s", self.name, exc)
            self.transport.close()
            return Completion.failure(CompletionCode.HARDWARE_ERROR, "connection lost right after sending: the receipt may not have printed",
                                      RecoveryAction.RETRY, MSG_FAULT, bytes=len(data), error_code=PrinterError.NO_ANSWER)
        failed = job_outcome(after, len(data), len(data))
        if failed is not None:
            return failed
        if self.presenter:
            return self._presenter_watch.await_take(token, len(data), after.paper)
        return Completion.success(None, f"{len(data)} bytes printed", bytes=len(data), paper=after.paper)

    def _send(self, token: CancelToken, data: bytes, watch: bool) -> Completion[None] | None:
        """Send in CHUNK writes. Between segments a head that answers status is asked again, so a roll that ends
        mid-job stops the job there (the failure says how much went out) instead of filling a dead head's buffer."""
        ends = segment_ends(data) if watch else [len(data)]
        start = 0
        for end in ends:
            for piece in range(start, end, CHUNK):
                token.check()
                self.transport.write(data[piece:min(end, piece + CHUNK)], max(0.05, token.remaining()))
            start = end
            if end < len(data):
                state = self._query_state(token)
                if state.answered:  # one slow answer mid-job is not yet news; the check after the job decides
                    self._apply_state(state)
                    failed = job_outcome(state, end, len(data))
                    if failed is not None:
                        return failed
        return None

    def _state_after_job(self, token: CancelToken) -> P.PrinterState:
        """What the head says once it has the whole job. It answered before, so silence now is news (asked twice)."""
        for _ in (1, 2):
            try:
                state = self._query_state(token)
            except DeviceTimeoutError:  # the command's deadline came while waiting for the answer
                break
            if state.answered:
                self._apply_state(state)
                return state
            if token.remaining() < 2 * self.status_timeout_s:
                break
        self._apply_state(P.UNKNOWN_STATE, silent="stopped answering DLE EOT right after a job")
        return P.UNKNOWN_STATE

    # ----- worker side: the wire --------------------------------------------------------------
    def _checked_state(self, token: CancelToken) -> P.PrinterState:
        """Ask DLE EOT 1..4; a closed connection (power cycle) is reopened until the deadline."""
        while True:
            try:
                if not self.transport.is_open:
                    raise DeviceIOError("not connected")
                return self._query_state(token)
            except DeviceIOError as exc:
                log.debug("printer %s: %s; reconnecting", self.name, exc)  # the state change itself is logged once
                self._reconnect(token)

    def _reconnect(self, token: CancelToken) -> None:
        """Reopen until the printer is back or the command's deadline comes (it may still be booting)."""
        self.transport.close()
        last: Exception | None = None
        while True:
            token.check()
            try:
                self.transport.open(min(1.0, max(0.05, token.remaining())))
                return
            except DeviceIOError as exc:
                last = exc
            if token.remaining() < 0.15:
                self.runner.report(DeviceState.OFFLINE, f"not reachable: {last}")  # switched off: offline, the poller retries
                raise DeviceIOError(f"printer did not come back: {last}")
            token.sleep(0.1)

    def _query_state(self, token: CancelToken) -> P.PrinterState:
        if not self.transport.can_read:
            return P.UNKNOWN_STATE
        self.transport.drain()
        replies: dict[int, int | None] = {}
        for n in (1, 2, 3, 4):
            token.check()
            self.transport.write(P.status_query(n), max(0.05, token.remaining()))
            replies[n] = self._read_reply(token)
            if replies[n] is None and n == 1:
                break  # silent printer: do not wait four times
        state = P.decode_status(replies)
        if self.presenter and state.answered:  # the supervisor's probe and the poller see a receipt taken late
            state = replace(state, presented=self._presenter_watch.ask(token))
        return state

    def _read_reply(self, token: CancelToken) -> int | None:
        deadline = time.monotonic() + min(self.status_timeout_s, token.remaining())
        while True:
            token.check()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            b = self.transport.read_byte(min(0.02, left))
            if b is not None:
                return b

    def _apply_state(self, state: P.PrinterState, silent: str = "") -> DeviceStatus:
        """Report the resting state with paper detail; Threshold events when the paper level drops."""
        previous = self.last_state
        self.last_state = state
        detail: dict[str, object] = {"paper": state.paper, "cover_open": state.cover_open, "cutter_error": state.cutter_error, "online": state.online}
        if state.presented is not None:
            detail["presented"] = state.presented
        st, desc = resting_state(state, readable=self.transport.can_read, require_status=self.require_status, silent=silent)
        self.runner.report(st, desc, **detail)
        if state.paper != previous.paper and state.paper in ("near_end", "out"):
            self.bus.publish(Threshold(self.name, name="paper", level=state.paper))
        return DeviceStatus(self.name, self.device_class, st, desc, detail)


PrinterState = P.PrinterState


def segment_ends(data: bytes, size: int = CHUNK) -> list[int]:
    """Offsets that end a segment of at least ``size`` bytes on a command boundary. A status query may go out
    only there: inside a raster's or a QR's payload a head would take DLE EOT for picture data (or worse, the
    picture data for a command)."""
    tokens, _ = tokenize(data)
    ends: list[int] = []
    start = 0
    for tok in tokens:
        if tok.end - start >= size:
            ends.append(tok.end)
            start = tok.end
    if not ends or ends[-1] != len(data):
        ends.append(len(data))
    return ends


def _logo(opt: PrinterOptions) -> Any:
    """The ``logo`` option: a picture file, loaded once here so a bad path is a config error, not a failed receipt."""
    path = opt.logo
    if not path:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return img.convert("L")
    except (OSError, UnidentifiedImageError) as exc:
        raise ConfigError(f"devices.printer.options.logo: cannot read {path}: {exc}") from None


def printer_kwargs(spec: DeviceSpec, opt: PrinterOptions) -> dict[str, Any]:
    return {"status_timeout_s": opt.status_timeout_s, "require_status": opt.require_status, "presenter": opt.presenter,
            "take_timeout_s": opt.take_timeout_s, "default_timeout": spec.timeout_s, "logo": _logo(opt)}


@takes_options(PrinterOptions)
def build(spec: DeviceSpec, bus: EventBus) -> EscPosPrinter:
    """tcp:, serial:, usb:, file: URLs (see transport_for_url); nothing is opened here."""
    opt = options_for(spec, PrinterOptions)
    try:
        profile, transport = PrinterProfile.from_options(opt), transport_for_url(spec.url, opt)
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"devices.{spec.name}: {exc}") from None
    return EscPosPrinter(spec.name, bus, transport, profile, **printer_kwargs(spec, opt))
