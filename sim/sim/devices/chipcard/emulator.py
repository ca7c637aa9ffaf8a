"""A virtual 社保卡 behind vsmartcard's vpcd: the demo's card and the tests' card.

vpcd (the PC/SC driver loaded by pcscd) listens on TCP 35963 (slot 0) / 35964 (slot 1). A card is
"inserted" while a client is connected: we connect to insert and disconnect to remove. Messages
are a 2-byte big-endian length and a payload; a 1-byte payload is a control code (0 power off,
1 power on, 2 reset, 4 get ATR → answer the ATR), anything else a C-APDU answered with an R-APDU.
The thread reconnects by itself while the card is inserted, so a pcscd restart finds the card
again — with exponential backoff (``RECONNECT_S`` doubling to ``RECONNECT_MAX_S``) while the link
cannot be made or drops before the first message: a pcscd that is gone or drops every link at once cost
~9,300 reconnects/s at 91 % of a core without it. ``TCP_QUICKACK`` before each ``recv`` takes an APDU
from ~44 ms to ~0.2 ms.
"""

from __future__ import annotations

import logging
import select
import socket
import struct
import threading
import time
from typing import Any

from sim.devices.chipcard.card import PERSONS, TECHNICIANS, CardImage, CardOS

log = logging.getLogger(__name__)

#: T=1 card (TD1=80 → TD2=01), so pcscd passes 61xx/6Cxx through to the driver untouched.
DEFAULT_ATR = bytes.fromhex("3B80800101")
DEFAULT_PORT = 35963
POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4
RECONNECT_S = 0.05
RECONNECT_MAX_S = 2.0
#: A card replaced by another stays off the reader this long, as a hand takes it: pcscd polls vpcd's
#: presence every 0.4 s, and a swap inside one poll is never seen (pcscd keeps the old card "powered"
#: and the new one answers its first APDU with a failed transaction).
SWAP_GAP_S = 1.0


class VirtualCard:
    """Control API: ``insert(person=…)`` / ``insert(technician=…)`` / ``remove()`` / ``close()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, atr: bytes = DEFAULT_ATR, chunk: int | None = None) -> None:
        self.host = host
        self.port = port
        self.atr = atr
        self.chunk = chunk
        self.card: CardOS | None = None
        self.lift_after: int | None = None  # fault: lift the card after this many APDUs (mid-read removal)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._connected = threading.Event()
        self._closed = False
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.connect_attempts = 0  # every try at the vpcd link (the backoff test and the idle bench read it)

    # ----- control ------------------------------------------------------------------------------
    def insert(self, person: str | None = None, *, technician: str | None = None, image: CardImage | None = None) -> None:
        """Put a card on the reader (replacing any card there): a demo person, a technician, or an image."""
        if image is None:
            if technician is not None:
                image = CardImage.technician(technician)
            else:
                image = CardImage.social_security(person or "zhangsan")
        swapping = self.card is not None
        self.remove()
        if swapping:
            time.sleep(SWAP_GAP_S)
        with self._lock:
            self.card = CardOS(image, chunk=self.chunk)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=f"vpcd-card-{self.port}", daemon=True)
                self._thread.start()
        self._wake.set()

    def remove(self) -> None:
        """Lift the card: drop the connection so vpcd reports the slot empty."""
        with self._lock:
            self.card = None
            sock, self._sock = self._sock, None
        self._connected.clear()
        if sock is not None:
            _close(sock)

    def close(self) -> None:
        self._closed = True
        self.remove()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(2.0)

    @property
    def inserted(self) -> bool:
        return self.card is not None

    def wait_connected(self, timeout: float) -> bool:
        """True once vpcd has accepted the card's connection."""
        return self._connected.wait(timeout)

    def state(self) -> dict[str, Any]:
        card = self.card
        return {
            "port": self.port,
            "card": card.image.label if card else None,
            "connected": self._connected.is_set(),
            "connect_attempts": self.connect_attempts,
            "persons": sorted(PERSONS),
            "technicians": sorted(TECHNICIANS),
        }

    # ----- the vpcd link ------------------------------------------------------------------------
    def _run(self) -> None:
        delay = RECONNECT_S
        last: CardOS | None = None
        while not self._closed:
            card = self.card
            if card is None:
                self._wake.wait(0.5)
                self._wake.clear()
                continue
            if card is not last:
                delay, last = RECONNECT_S, card  # a card just put on the reader links at once
            sock = self._connect()
            served = False
            if sock is not None:
                try:
                    served = self._serve(sock, card)
                except OSError as exc:
                    log.debug("vpcd link on %d dropped: %s", self.port, exc)
                finally:
                    self._connected.clear()
                    _close(sock)
                    with self._lock:
                        if self._sock is sock:
                            self._sock = None
            if served:
                delay = RECONNECT_S  # a link that carried messages: the next drop is news, retry soon
                continue
            # no link, or one that dropped before its first message: wait, longer each time. The wake
            # event (insert/remove/close) cuts the wait short; cleared so a stale set never skips it
            self._wake.wait(delay)
            self._wake.clear()
            delay = min(delay * 2, RECONNECT_MAX_S)

    def _connect(self) -> socket.socket | None:
        self.connect_attempts += 1
        try:
            sock = socket.create_connection((self.host, self.port), timeout=0.5)
        except OSError:
            return None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if self.card is None or self._closed:  # removed while we were connecting
                _close(sock)
                return None
            self._sock = sock
        self._connected.set()
        log.debug("card %s connected to vpcd :%d", self.card.image.label if self.card else "?", self.port)
        return sock

    def _serve(self, sock: socket.socket, card: CardOS) -> bool:
        """Answer vpcd until the card is lifted or the link drops; True once a message was exchanged."""
        served = False
        try:
            while self.card is card and not self._closed:
                ready, _, _ = select.select([sock], [], [], 0.5)
                if not ready:
                    continue
                header = _recv_exact(sock, 2)
                payload = _recv_exact(sock, struct.unpack(">H", header)[0])
                served = True
                if len(payload) == 1:
                    if payload[0] == GET_ATR:
                        _send(sock, self.atr)
                    elif payload[0] in (POWER_ON, RESET, POWER_OFF):
                        card.power_on()
                    continue
                if self.lift_after is not None and len(card.apdu_log) >= self.lift_after:
                    self.lift_after = None
                    threading.Thread(target=self.remove, daemon=True).start()  # as a hand would, mid-exchange
                    return served
                _send(sock, card.process(payload))
        except OSError:
            if not served:
                raise
            log.debug("vpcd link on %d dropped after it served", self.port)
        return served


def _quickack(sock: socket.socket) -> None:
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        _quickack(sock)
        chunk = sock.recv(size - len(buf))
        if not chunk:
            raise ConnectionResetError("vpcd closed the connection")
        buf += chunk
    return bytes(buf)


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
