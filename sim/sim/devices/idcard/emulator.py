"""A GA/T 467 SAM on a pty: answers the real frames, so demo and tests drive the real driver.

The simulators' SAM: the ``sim:`` device URL and ``kiosk emulate idcard`` run it.
Cards come from JSON (``cards/demo.json`` ships 张三, a 长期 card, a 'J' permit and an 'I' card);
the text block is built by the same layout tables the driver parses. ``wire_speed=True`` paces the
bytes at 115200 8N1 (10 bits a byte) in both directions, which a pty otherwise ignores.

Faults (``set_fault``): ``bad_checksum`` (answers with a broken XOR), ``no_card`` (find fails),
``garbage`` (noise instead of an answer), ``noise`` (noise, then the right answer), ``silence``.
``unplug()``/``replug()`` close the pty and open a fresh one behind the same symlink, like a USB
reader that was pulled out and put back.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import select
import threading
import time
import tty
from importlib import resources
from pathlib import Path
from typing import Any

from drivers.idcard import protocol as P
from drivers.idcard.layouts import build_address, build_text

FAULTS = ("bad_checksum", "no_card", "garbage", "noise", "silence")
SAM_ID_BYTES = bytes.fromhex("0500 0100 38a53201 4e61bc00 07df2d0f".replace(" ", ""))


def load_cards(path: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """Cards by id from a JSON object ``{"zhangsan": {...}, ...}``; default: the shipped demo cards."""
    if path is None:
        text = resources.files("sim.devices.idcard").joinpath("cards/demo.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    cards = json.loads(text)
    if not isinstance(cards, dict):
        raise ValueError("card file must hold a JSON object of card id → card")
    return {k: v for k, v in cards.items() if not k.startswith("_")}


def fake_wlt(seed: str) -> bytes:
    """1024 deterministic bytes with the observed WLT header ("WL", 102, 126). Not an image:
    nobody can decode it, which is exactly what the driver must report."""
    out = bytearray(b"WLf\x00~\x00")
    counter = 0
    while len(out) < 1024:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:1024])


class SamEmulator:
    """The SAM module, its RF field (one card or none) and its serial line, on one thread."""

    def __init__(
        self,
        cards: dict[str, dict[str, Any]] | None = None,
        *,
        wire_speed: bool = False,
        baudrate: int = 115200,
        link: str | None = None,
        processing_s: float = 0.0,
    ) -> None:
        self.cards = load_cards() if cards is None else cards
        self.wire_speed = wire_speed
        self.baudrate = baudrate
        self.link = link
        self.processing_s = processing_s
        self.fault: str | None = None
        self.fault_only: set[int] | None = None
        self.received: list[tuple[int, int]] = []  # (CMD, PARA) of every request, for tests
        self.received_at: list[float] = []  # time.monotonic() of each request
        self.last_tx_end = 0.0  # perf_counter() when the last answer byte was written
        self.bytes_in = 0  # bytes received and sent, for wire-time accounting (bench)
        self.bytes_out = 0
        self._lock = threading.RLock()
        self._master: int | None = None
        self._slave: int | None = None
        self._slave_name = ""
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._card_id: str | None = None
        self._selected = False
        self._read_done = False
        self._rng = random.Random(467)

    # ----- control API ------------------------------------------------------------------------
    @property
    def path(self) -> str:
        """What the driver opens: the symlink if one was asked for, else the pty slave."""
        return self.link or self._slave_name

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def card_id(self) -> str | None:
        return self._card_id

    def insert(self, card_id: str) -> None:
        if card_id not in self.cards:
            raise KeyError(f"no card {card_id!r} (known: {', '.join(sorted(self.cards))})")
        with self._lock:
            self._card_id, self._selected, self._read_done = card_id, False, False

    def remove(self) -> None:
        with self._lock:
            self._card_id, self._selected, self._read_done = None, False, False

    def set_fault(self, fault: str | None, only: set[int] | None = None) -> None:
        """Inject ``fault`` into every answer, or only into answers to the CMD bytes in ``only``
        (e.g. ``{0x30}``: the card data reads, so open/find/select still work)."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r} (known: {', '.join(FAULTS)})")
        self.fault = fault
        self.fault_only = set(only) if only else None

    def start(self) -> str:
        if self.running:
            return self.path
        self._open_pty()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="sam-emulator", daemon=True)
        self._thread.start()
        return self.path

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
        self._close_pty()

    def unplug(self) -> None:
        """The reader vanishes: the pty closes (the driver's reads fail) and the symlink goes."""
        self._close_pty()

    def replug(self) -> str:
        """A reader appears again: a new pty behind the same symlink."""
        self._open_pty()
        return self.path

    # ----- pty --------------------------------------------------------------------------------
    def _open_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        with self._lock:
            self._master, self._slave, self._slave_name = master, slave, os.ttyname(slave)
        if self.link:
            tmp = f"{self.link}.tmp{os.getpid()}"
            os.symlink(self._slave_name, tmp)
            os.replace(tmp, self.link)

    def _close_pty(self) -> None:
        with self._lock:
            fds = (self._master, self._slave)
            self._master = self._slave = None
        if self.link:
            try:
                if os.path.islink(self.link):
                    os.unlink(self.link)
            except OSError:
                pass
        for fd in fds:
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass

    # ----- serving ----------------------------------------------------------------------------
    def _serve(self) -> None:
        parser = P.FrameParser()
        current: int | None = None
        while not self._stop.is_set():
            fd = self._master
            if fd is None:
                time.sleep(0.01)
                continue
            if fd != current:  # a new pty after replug: forget half a frame from the old one
                parser.reset()
                current = fd
            try:
                ready, _, _ = select.select([fd], [], [], 0.05)
                data = os.read(fd, 4096) if ready else b""
            except (OSError, ValueError):
                time.sleep(0.01)
                continue
            if not data:
                continue
            bad_before = parser.bad_checksums
            self.bytes_in += len(data)
            parser.feed(data)
            while (body := parser.next_frame()) is not None:
                self._pace(len(body) + 8)  # the request was still on the wire
                self._handle(body)
            if parser.bad_checksums > bad_before:
                self._send(P.encode_response(0x10))

    def _pace(self, nbytes: int) -> None:
        if self.wire_speed:
            time.sleep(nbytes * 10 / self.baudrate)

    def _handle(self, body: bytes) -> None:
        if len(body) < 2:
            self._send(P.encode_response(0x11))
            return
        command = (body[0], body[1])
        self.received.append(command)
        self.received_at.append(time.monotonic())
        if self.processing_s:
            time.sleep(self.processing_s)
        with self._lock:
            answer = self._answer(command)
        fault = self.fault if self.fault_only is None or command[0] in self.fault_only else None
        if fault == "silence":
            return
        if fault == "garbage":
            self._send(self._noise(len(answer)))
            return
        if fault == "bad_checksum":
            answer = answer[:-1] + bytes([answer[-1] ^ 0x5A])
        if fault == "noise":
            answer = self._noise(23) + answer
        self._send(answer)

    def _noise(self, size: int) -> bytes:
        return bytes(self._rng.randrange(0, 0x96) for _ in range(max(8, min(size, 600))))

    def _answer(self, command: tuple[int, int]) -> bytes:
        card = self.cards.get(self._card_id) if self._card_id else None
        in_field = card is not None and self.fault != "no_card"
        if command in (P.CMD_RESET, P.CMD_SAM_STATUS):
            self._selected = False if command == P.CMD_RESET else self._selected
            return P.encode_response(P.SW3_OK)
        if command == P.CMD_SAM_ID:
            return P.encode_response(P.SW3_OK, SAM_ID_BYTES)
        if command == P.CMD_FIND:
            if in_field and not self._read_done:
                return P.encode_response(P.SW3_FIND_OK, b"\0\0\0\0")
            return P.encode_response(P.SW3_NO_CARD)
        if command == P.CMD_SELECT:
            # [U] A card already read still answers select while it lies in the field; the
            # driver's poller relies on this to tell "still there" from "lifted".
            if in_field:
                self._selected = True
                serial = hashlib.sha256(str(self._card_id).encode()).digest()[:8]
                return P.encode_response(P.SW3_OK, serial)
            return P.encode_response(P.SW3_SELECT_FAILED)
        if command in (P.CMD_READ_BASE, P.CMD_READ_WITH_FINGERPRINT):
            if not (in_field and self._selected):
                return P.encode_response(0x41)
            self._read_done = True
            return P.encode_response(P.SW3_OK, self._card_payload(card, command == P.CMD_READ_WITH_FINGERPRINT))
        if command == P.CMD_READ_EXTRA_ADDRESS:
            extra = str(card.get("extra_address", "")) if in_field else ""
            if not extra:
                return P.encode_response(P.SW3_NO_CONTENT)
            return P.encode_response(P.SW3_OK, build_address(extra))
        if command[0] in (P.CMD_SET_BAUD, 0x61):
            return P.encode_response(P.SW3_OK)
        return P.encode_response(0x21)

    def _card_payload(self, card: dict[str, Any] | None, fingerprint: bool) -> bytes:
        assert card is not None
        text = build_text(card)
        photo = fake_wlt(str(card.get("id_number", self._card_id)))
        head = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
        if not fingerprint:
            return head + text + photo
        fp_size = int(card.get("fingerprint_size", 1024))
        fp = (hashlib.sha256(b"fp" + text).digest() * 64)[:fp_size]
        return head + fp_size.to_bytes(2, "big") + text + photo + fp

    def _send(self, frame: bytes) -> None:
        fd = self._master
        if fd is None:
            return
        self.bytes_out += len(frame)  # counted before the host can possibly have the answer
        try:
            if not self.wire_speed:
                self.last_tx_end = time.perf_counter()
                _write_all(fd, frame)
                return
            per_byte = 10 / self.baudrate
            start = time.perf_counter()
            for i in range(0, len(frame), 16):
                chunk = frame[i : i + 16]
                delay = start + (i + len(chunk)) * per_byte - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                self.last_tx_end = time.perf_counter()  # this chunk's last stop bit is "on the line" now
                _write_all(fd, chunk)
        except OSError:
            pass  # unplugged while answering


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
