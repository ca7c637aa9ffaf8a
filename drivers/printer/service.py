"""ReceiptPrinter service: prints ``ReceiptDocument``s over ESC/POS and keeps the paper status honest.

Why status first: a receipt sent to a printer without paper is lost without a trace. ``print_document``
asks DLE EOT before sending; paper out or cover open is a completion with action CLEAR and the
document is not consumed, so the flow can send it again. A printer that does not answer is
``unknown`` — never "ok". A dropped connection (power cycle) is reopened and the job re-sent whole.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from drivers.printer import protocol as P
from drivers.printer.encoder import Encoder, PrinterProfile
from drivers.printer.options import PrinterOptions
from drivers.printer.transport import EscposTransport, transport_for_url
from kiosk.errors import ConfigError, DeviceIOError, DeviceTimeoutError
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.device import DeviceService
from kiosk.terminal.events import EventBus, Threshold
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.receipt import ReceiptDocument
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.runner import CancelToken
from kiosk.terminal.status import DeviceClass, DeviceState, DeviceStatus

log = logging.getLogger(__name__)
CHUNK = 4096  # bytes per write, so a cancel lands between chunks

MSG_PAPER_OUT = "凭条打印机缺纸，回执暂未打印。您的业务不受影响，请联系工作人员补纸后重新打印。"
MSG_COVER_OPEN = "凭条打印机盖未关好，请联系工作人员处理后重新打印。"
MSG_FAULT = "凭条打印机故障，回执暂未打印，请联系工作人员。"


class EscPosPrinter(DeviceService):
    device_class = DeviceClass.RECEIPT_PRINTER

    def __init__(self, name: str, bus: EventBus, transport: EscposTransport, profile: PrinterProfile,
                 *, status_timeout_s: float = 0.3, require_status: bool = False, default_timeout: float | None = None,
                 logo: Any = None) -> None:
        super().__init__(name, bus, default_timeout=default_timeout)
        self.transport = transport
        self.profile = profile
        self.encoder = Encoder(profile, logo)
        self.status_timeout_s = status_timeout_s
        self.require_status = require_status
        self.last_state: PrinterState = P.UNKNOWN_STATE
        self.emulator: Any = None  # set by the simulators' sim: factory
        self._poller: asyncio.Task[None] | None = None

    def capabilities(self) -> dict[str, Any]:
        p = self.profile
        return {"paper": p.name, "columns": p.cols, "dots": p.dots, "encoding": p.encoding, "native_qr": p.native_qr,
                "cutter": p.cutter, "status": self.transport.can_read, "transport": self.transport.kind}

    # ----- contract --------------------------------------------------------------------------
    async def print_document(self, document: ReceiptDocument, timeout: float | None = None) -> Completion[None]:
        try:
            data = self.encoder.encode(document)
        except (ValueError, TypeError) as exc:  # bad input: say so, print nothing
            return Completion.failure(CompletionCode.INVALID_DATA, f"cannot encode receipt: {exc}", RecoveryAction.MAINTENANCE)
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
                await self.refresh_status(timeout=max(2.0, 8 * self.status_timeout_s))

        self._poller = asyncio.get_running_loop().create_task(poll(), name=f"printer-poll-{self.name}")

    async def stop_polling(self) -> None:
        task, self._poller = self._poller, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def close(self) -> None:
        await self.stop_polling()
        await super().close()

    def preview_png(self, document: ReceiptDocument) -> bytes:
        """The receipt as this printer would print it (the bytes we send, rendered), for the on-screen preview."""
        from drivers.printer.render import render

        return render(self.encoder.encode(document), width_dots=self.profile.dots, encoding=self.profile.encoding).png()

    async def refresh_status(self, timeout: float | None = None) -> Completion[DeviceStatus]:
        return await self._execute("refresh_status", self._do_refresh, timeout)

    # ----- worker side -----------------------------------------------------------------------
    def _do_open(self, token: CancelToken) -> None:
        self.transport.open(min(3.0, max(0.2, token.remaining())))
        self._apply_state(self._query_state(token))

    def _do_close(self) -> None:
        self.transport.close()

    def _do_refresh(self, token: CancelToken) -> Completion[DeviceStatus]:
        state = self._checked_state(token)
        s = self._apply_state(state)
        return Completion.success(s, f"paper {state.paper}", **state.to_json())

    def _do_print(self, token: CancelToken, data: bytes) -> Completion[None]:
        state = self._checked_state(token)
        self._apply_state(state)
        refusal = self._refusal(state)
        if refusal is not None:
            return refusal
        for attempt in (1, 2):
            try:
                self._send(token, data)
                break
            except DeviceIOError as exc:
                if attempt == 2:
                    raise
                log.warning("printer %s: %s; reconnecting and sending the whole receipt again", self.name, exc)
                self._reconnect(token)
                state = self._query_state(token)  # it may have come back without paper
                self._apply_state(state)
                refusal = self._refusal(state)
                if refusal is not None:
                    return refusal
        after = self._state_after_print(token, state)
        if after is None:
            return Completion.failure(CompletionCode.HARDWARE_ERROR, "connection lost right after sending: the receipt may not have printed",
                                      RecoveryAction.RETRY, MSG_FAULT, bytes=len(data))
        self._apply_state(after)
        return Completion.success(None, f"{len(data)} bytes printed", bytes=len(data), paper=after.paper)

    def _state_after_print(self, token: CancelToken, before: P.PrinterState) -> P.PrinterState | None:
        """Paper level after the job (it may have reached near end). ``None``: the printer dropped the
        connection, so the job may be lost; the caller says so rather than claim it printed."""
        if not self.transport.can_read or not before.answered:
            return before  # a head that did not answer before will not now: do not wait for it twice
        try:
            return self._query_state(token)
        except DeviceIOError as exc:  # the printer went away while taking the job: reconnect next time
            log.warning("printer %s: connection lost after sending a job: %s", self.name, exc)
            self.transport.close()
            return None
        except DeviceTimeoutError:
            return P.UNKNOWN_STATE

    def _send(self, token: CancelToken, data: bytes) -> None:
        for start in range(0, len(data), CHUNK):
            token.check()
            self.transport.write(data[start:start + CHUNK], max(0.05, token.remaining()))

    def _refusal(self, state: P.PrinterState) -> Completion[None] | None:
        """The completion that stops a print before any byte is sent, or None to go ahead."""
        if state.paper == "out":
            return Completion.failure(CompletionCode.USER_ERROR, "paper out", RecoveryAction.CLEAR, MSG_PAPER_OUT, paper="out")
        if state.cover_open:
            return Completion.failure(CompletionCode.USER_ERROR, "cover open", RecoveryAction.CLEAR, MSG_COVER_OPEN, cover_open=True)
        if state.cutter_error or state.unrecoverable:
            return Completion.failure(CompletionCode.HARDWARE_ERROR, "cutter error" if state.cutter_error else "unrecoverable error",
                                      RecoveryAction.MAINTENANCE, MSG_FAULT)
        if state.online is False:
            return Completion.failure(CompletionCode.DEVICE_NOT_READY, "printer offline", RecoveryAction.RETRY, MSG_FAULT)
        if not state.answered and self.require_status:
            return Completion.failure(CompletionCode.DEVICE_NOT_READY, "printer does not answer status queries (require_status)",
                                      RecoveryAction.MAINTENANCE, MSG_FAULT, paper="unknown")
        return None

    def _checked_state(self, token: CancelToken) -> P.PrinterState:
        """Ask DLE EOT 1..4; a closed connection (power cycle) is reopened until the deadline."""
        while True:
            try:
                if not self.transport.is_open:
                    raise DeviceIOError("not connected")
                return self._query_state(token)
            except DeviceIOError as exc:
                log.info("printer %s: %s; reconnecting", self.name, exc)
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
        return P.decode_status(replies)

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

    def _apply_state(self, state: P.PrinterState) -> DeviceStatus:
        """Report the resting state with paper detail; Threshold events when the paper level drops."""
        previous = self.last_state
        self.last_state = state
        detail: dict[str, object] = {"paper": state.paper, "cover_open": state.cover_open, "cutter_error": state.cutter_error, "online": state.online}
        if state.paper == "out":
            st, desc = DeviceState.USER_ERROR, "paper out"
        elif state.cover_open:
            st, desc = DeviceState.USER_ERROR, "cover open"
        elif state.cutter_error or state.unrecoverable:
            st, desc = DeviceState.HARDWARE_ERROR, "cutter error" if state.cutter_error else "unrecoverable error"
        elif state.online is False:
            st, desc = DeviceState.OFFLINE, "printer offline"
        elif not state.answered:
            st, desc = DeviceState.ONLINE, "status unknown: printer does not answer DLE EOT"
        else:
            st, desc = DeviceState.ONLINE, "paper near end" if state.paper == "near_end" else ""
        self.runner.report(st, desc, **detail)
        if state.paper != previous.paper and state.paper in ("near_end", "out"):
            self.bus.publish(Threshold(self.name, name="paper", level=state.paper))
        return DeviceStatus(self.name, self.device_class, st, desc, detail)


PrinterState = P.PrinterState


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
    return {"status_timeout_s": opt.status_timeout_s, "require_status": opt.require_status, "default_timeout": spec.timeout_s, "logo": _logo(opt)}


@takes_options(PrinterOptions)
def build(spec: DeviceSpec, bus: EventBus) -> EscPosPrinter:
    """tcp:, serial:, usb:, file: URLs (see transport_for_url); nothing is opened here."""
    opt = options_for(spec, PrinterOptions)
    try:
        profile, transport = PrinterProfile.from_options(opt), transport_for_url(spec.url, opt)
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"devices.{spec.name}: {exc}") from None
    return EscPosPrinter(spec.name, bus, transport, profile, **printer_kwargs(spec, opt))
