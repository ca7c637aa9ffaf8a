"""A card/reader monitor that survives pcscd restarts and reader removal, and never dies silently.

pyscard's ``CardMonitor`` is a process-wide singleton whose thread dies for good when pcscd
restarts. Ours is one thread per device over the low-level ``SCardGetStatusChange`` with a short
timeout: it owns its context, re-lists readers on every timeout (reader plugged/unplugged), and on
``SCARD_E_NO_SERVICE`` releases the context and retries ``SCardEstablishContext`` until pcscd is
back. Anything unexpected is reported to the listener and the loop starts over.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from smartcard import scard

from drivers.chipcard.transport import READER_GONE, SERVICE_DOWN

log = logging.getLogger(__name__)

_OK = 0
_TIMEOUT = scard.SCARD_E_TIMEOUT & 0xFFFFFFFF
_CANCELLED = scard.SCARD_E_CANCELLED & 0xFFFFFFFF


class MonitorListener(Protocol):
    def service_changed(self, up: bool, detail: str) -> None: ...
    def readers_changed(self, readers: list[str]) -> None: ...
    def card_changed(self, reader: str, present: bool, atr: bytes) -> None: ...
    def monitor_failed(self, error: str) -> None: ...


class _Restart(Exception):
    """Leave the current context and establish a fresh one."""


class CardMonitor:
    """Watches the readers ``wanted(name)`` accepts; calls the listener from its own thread."""

    def __init__(self, listener: MonitorListener, wanted: Callable[[str], bool], *, poll_ms: int = 200, retry_s: float = 0.3) -> None:
        self.listener = listener
        self.wanted = wanted
        self.poll_ms = poll_ms
        self.retry_s = retry_s
        self.present: dict[str, bool] = {}
        self._events: dict[str, int | None] = {}  # pcsc-lite's per-reader insert/remove counter, last seen
        self._readers: list[str] | None = None  # None: not listed since the context was (re)made
        self._service_up: bool | None = None
        self._stop = threading.Event()
        self._ctx: int | None = None
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.alive:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="chipcard-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        ctx = self._ctx
        if ctx is not None:
            scard.SCardCancel(ctx)  # wake a blocked SCardGetStatusChange
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # ----- the loop -----------------------------------------------------------------------------
    def _run(self) -> None:
        settle = 0.05
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                self._session()
            except _Restart:
                if time.monotonic() - began > 1.0:
                    settle = 0.05  # a session that ran: the first retry is quick
                self._stop.wait(settle)  # let a restarting pcscd settle, longer each time it refuses; never spin
                settle = min(settle * 2, self.retry_s * 4)
            except Exception as exc:
                log.exception("chipcard monitor failed")
                self._service_up, self._readers = None, None  # the next context re-announces everything
                self.listener.monitor_failed(f"{type(exc).__name__}: {exc}")
                self._stop.wait(self.retry_s)

    def _session(self) -> None:
        hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != _OK:
            self._service(False, f"pcscd not running (0x{hresult & 0xFFFFFFFF:08X})")
            self._stop.wait(self.retry_s)
            return
        self._ctx = ctx
        try:
            self._watch(ctx)
        finally:
            self._ctx = None
            scard.SCardReleaseContext(ctx)

    def _watch(self, ctx: int) -> None:
        self._relist(ctx)
        self._service(True, "")
        states = dict.fromkeys(self._readers or [], scard.SCARD_STATE_UNAWARE)
        while not self._stop.is_set():
            if not states:
                self._stop.wait(self.poll_ms / 1000)
                if self._relist(ctx):
                    states = dict.fromkeys(self._readers or [], scard.SCARD_STATE_UNAWARE)
                continue
            hresult, new_states = scard.SCardGetStatusChange(ctx, self.poll_ms, list(states.items()))
            code = hresult & 0xFFFFFFFF
            if code in (_TIMEOUT, _CANCELLED):
                if self._relist(ctx):
                    states = {r: states.get(r, scard.SCARD_STATE_UNAWARE) for r in self._readers or []}
                continue
            if code in SERVICE_DOWN:
                self._service(False, f"pcscd stopped (0x{code:08X})")
                raise _Restart()
            if code in READER_GONE:
                self._relist(ctx)
                states = {r: states.get(r, scard.SCARD_STATE_UNAWARE) for r in self._readers or []}
                continue
            if code != _OK:
                raise RuntimeError(f"SCardGetStatusChange failed (0x{code:08X})")
            for reader, event, atr in new_states:
                states[reader] = event & ~scard.SCARD_STATE_CHANGED
                if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_IGNORE):
                    continue  # the reader vanished; the next relist drops it
                present = bool(event & scard.SCARD_STATE_PRESENT) and not event & scard.SCARD_STATE_MUTE
                self._card(reader, present, bytes(atr), events=(event >> 16) & 0xFFFF)

    def _relist(self, ctx: int) -> bool:
        """Refresh the reader list; True if it changed. Lost service → restart."""
        hresult, readers = scard.SCardListReaders(ctx, [])
        code = hresult & 0xFFFFFFFF
        if code in SERVICE_DOWN:
            self._service(False, f"pcscd stopped (0x{code:08X})")
            raise _Restart()
        if code != _OK:
            readers = []  # SCARD_E_NO_READERS_AVAILABLE and friends: none right now
        readers = [r for r in readers if self.wanted(r)]
        if readers == self._readers:
            return False
        for gone in set(self._readers or []) - set(readers):
            self._card(gone, False, b"")
            self.present.pop(gone, None)
            self._events.pop(gone, None)
        self._readers = readers
        self.listener.readers_changed(list(readers))
        return True

    # ----- notifications ------------------------------------------------------------------------
    def _service(self, up: bool, detail: str) -> None:
        if self._service_up is up:
            return
        self._service_up = up
        if not up:
            for reader in list(self.present):
                self._card(reader, False, b"")
            self._readers = None  # the next context re-lists and always tells the listener
        self.listener.service_changed(up, detail)

    def _card(self, reader: str, present: bool, atr: bytes, *, events: int | None = None) -> None:
        """Tell the listener of a change. pcsc-lite counts insertions/removals in the event state's high
        word: a card swapped between two presence polls is present → present with a new count, which is
        a removal and an insertion (else the wait for MediaInserted never re-reads the new card)."""
        was_present = self.present.get(reader, False)
        last_events, self._events[reader] = self._events.get(reader), events
        swapped = was_present and present and events is not None and last_events is not None and events != last_events
        self.present[reader] = present
        if swapped:
            self.listener.card_changed(reader, False, b"")
            self.listener.card_changed(reader, True, atr)
        elif was_present != present:
            self.listener.card_changed(reader, present, atr)
