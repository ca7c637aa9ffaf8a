"""The paper presenter of a kiosk head: is a receipt waiting in its mouth, and did the citizen take it?

Why its own piece: a head with a presenter (Custom's VKP/TK/KPM and their clones) holds the cut receipt
until it is pulled, and says so in bit 5 of the paper byte of ``DLE EOT 20`` (full status). The print
waits for that bit to rise and fall so its completion can say ``taken``; each change is an event
(MediaPresented, MediaTaken — XFS4IoT Printer's), published on the bus the moment it is seen.
"""

from __future__ import annotations

import logging
import time

from drivers.printer import protocol as P
from drivers.printer.transport import EscposTransport
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion
from kiosk.terminal.events import EventBus, MediaPresented, MediaTaken

log = logging.getLogger(__name__)


class Presenter:
    """Asks the presenter over the printer's transport (on the device's worker thread, like every exchange)."""

    def __init__(self, device: str, bus: EventBus, transport: EscposTransport, status_timeout_s: float, take_timeout_s: float) -> None:
        self.device = device
        self.bus = bus
        self.transport = transport
        self.status_timeout_s = status_timeout_s
        self.take_timeout_s = take_timeout_s
        self.presented: bool | None = None  # the last answer, so only a change is an event

    def await_take(self, token: CancelToken, sent: int, paper: str) -> Completion[None]:
        """Wait (within the command's deadline and ``take_timeout_s``) until the presenter holds the receipt and
        the citizen takes it; each transition is an event. Not taken in time is still a printed receipt."""
        deadline = time.monotonic() + max(0.0, min(self.take_timeout_s, token.remaining() - 2 * self.status_timeout_s))
        presented, taken = bool(self.presented), False  # the check after the job may have seen it already
        while True:
            now_in = self.ask(token)
            if now_in is None:
                break  # the head stopped answering DLE EOT 20: it printed; we cannot tell more
            presented = presented or now_in
            if presented and not now_in:
                taken = True
                break
            if time.monotonic() >= deadline:
                break
            token.sleep(0.05)
        detail: dict[str, object] = {"bytes": sent, "paper": paper, "presented": presented, "taken": taken}
        if taken:
            return Completion.success(None, f"{sent} bytes printed; receipt taken", **detail)
        if presented:
            return Completion.success(None, f"{sent} bytes printed; receipt presented, not taken within {self.take_timeout_s:g} s", **detail)
        return Completion.success(None, f"{sent} bytes printed; the presenter did not report the receipt", **detail)

    def ask(self, token: CancelToken) -> bool | None:
        """Whether a receipt waits in the presenter (DLE EOT 20), publishing MediaPresented/MediaTaken on a change."""
        self.transport.write(P.full_status_query(), max(0.05, token.remaining()))
        reply = bytearray()
        deadline = time.monotonic() + min(self.status_timeout_s, token.remaining())
        while len(reply) < P.FULL_STATUS_LEN and time.monotonic() < deadline:
            token.check()
            b = self.transport.read_byte(min(0.02, max(0.001, deadline - time.monotonic())))
            if b is not None:
                reply.append(b)
        now_in = P.ticket_in_presenter(bytes(reply))
        if now_in is not None and now_in != self.presented:
            if now_in:
                self.bus.publish(MediaPresented(self.device, media="receipt"))
            elif self.presented:  # it was there and is gone: taken (not merely "none at start")
                log.info("printer %s: receipt taken", self.device)
                self.bus.publish(MediaTaken(self.device, media="receipt"))
            self.presented = now_in
        return now_in

