"""A USB HID keyboard-wedge scanner as its input event device would speak: binary input_event records.

This machine has no ``/dev/uinput``, so the peer is a FIFO the real evdev driver opens as if it
were ``/dev/input/eventN``. Each ``scan`` writes what the kernel writes for a scanner typing a
code on a US layout: an ``EV_MSC``/``MSC_SCAN`` then the ``EV_KEY`` press, a ``SYN_REPORT``, the
release and another ``SYN_REPORT`` per key, Shift around upper case, Enter at the end. The grab
ioctl fails on a FIFO (``ENOTTY``) exactly as on any non-grabbable device, which the driver
reports. ``by_id`` holds a ``usb-…-event-kbd`` symlink to the FIFO, like udev's, for ``match=``.

Fault hooks: ``send_keys`` (raw key codes: unmapped keys, Ctrl), ``alt_code`` (Alt + keypad
digits, how wedges type characters the layout lacks), ``drop`` (a ``SYN_DROPPED``), ``send_raw``
(bytes, e.g. half a record), ``unplug`` (the writer goes away: the driver sees end of file).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from drivers.barcode.evdev import pack_event
from drivers.barcode.keymap import (
    EV_KEY,
    EV_SYN,
    KEY_ENTER,
    KEY_LEFTALT,
    KEY_LEFTSHIFT,
    KEYPAD,
    SYN_DROPPED,
    SYN_REPORT,
    US_LAYOUT,
)

EV_MSC, MSC_SCAN = 0x04, 0x04
_CHAR_KEYS: dict[str, tuple[int, bool]] = {}  # character → (key code, needs Shift) on the US layout
for _code, (_plain, _shifted) in US_LAYOUT.items():
    _CHAR_KEYS.setdefault(_plain, (_code, False))
    _CHAR_KEYS.setdefault(_shifted, (_code, True))
_KEYPAD_DIGITS = {digit: code for code, digit in KEYPAD.items() if digit.isdigit()}
DEVICE_NAME = "usb-SM_HID_Barcode_Scanner_000001-event-kbd"


class WedgeEmulator:
    """A keyboard-wedge scanner behind a FIFO: ``path`` (or ``by_id/DEVICE_NAME``) is what the driver opens."""

    def __init__(self, key_delay_s: float = 0.0) -> None:
        self.key_delay_s = key_delay_s
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-wedge-"))
        self.path = self.root / "event0"
        os.mkfifo(self.path)
        self.by_id = self.root / "by-id"
        self.by_id.mkdir()
        (self.by_id / DEVICE_NAME).symlink_to(self.path)
        self._fd = os.open(self.path, os.O_RDWR)  # a writer from now on: the reader never sees EOF until unplug
        self._lock = threading.Lock()
        self.closed = False
        self._clock0 = time.time()

    # ----- what a scanner types -----------------------------------------------------------------
    def scan(self, code: str, terminator: int = KEY_ENTER) -> None:
        """Type ``code`` (US-layout characters only) and the terminator key."""
        keys: list[tuple[int, bool]] = []
        for ch in code:
            if ch not in _CHAR_KEYS:
                raise ValueError(f"{ch!r} cannot be typed on a US layout (use alt_code or send_keys)")
            keys.append(_CHAR_KEYS[ch])
        keys.append((terminator, False))
        self._write_keys(keys)

    def send_keys(self, codes: list[int], *, shift: bool = False, hold: int | None = None) -> None:
        """Press and release each key code (with Shift, or with modifier ``hold`` held throughout)."""
        if hold is not None:
            self._write(self._key(hold, 1))
        self._write_keys([(code, shift) for code in codes])
        if hold is not None:
            self._write(self._key(hold, 0))

    def alt_code(self, number: int) -> None:
        """Alt held, the decimal digits of ``number`` on the keypad, Alt released (a Windows-style Alt code)."""
        out = self._key(KEY_LEFTALT, 1)
        for digit in str(number):
            out += self._key(_KEYPAD_DIGITS[digit], 1) + self._key(_KEYPAD_DIGITS[digit], 0)
        self._write(out + self._key(KEY_LEFTALT, 0))

    def drop(self) -> None:
        """The kernel's buffer overflowed: a SYN_DROPPED record."""
        self._write(self._event(EV_SYN, SYN_DROPPED, 0))

    def send_raw(self, data: bytes) -> None:
        self._write(data)

    def unplug(self) -> None:
        self.close()

    # ----- records --------------------------------------------------------------------------------
    def _event(self, ev_type: int, code: int, value: int) -> bytes:
        now = time.time() - self._clock0
        return pack_event(ev_type, code, value, int(now), int(now % 1 * 1e6))

    def _key(self, code: int, value: int) -> bytes:
        scan = self._event(EV_MSC, MSC_SCAN, 0x70000 + code)
        return scan + self._event(EV_KEY, code, value) + self._event(EV_SYN, SYN_REPORT, 0)

    def _write_keys(self, keys: list[tuple[int, bool]]) -> None:
        for code, shift in keys:
            press = self._key(code, 1) + self._key(code, 0)
            self._write(self._key(KEY_LEFTSHIFT, 1) + press + self._key(KEY_LEFTSHIFT, 0) if shift else press)
            if self.key_delay_s:
                time.sleep(self.key_delay_s)

    def _write(self, data: bytes) -> None:
        with self._lock:
            if self.closed:
                raise OSError("the wedge scanner is unplugged")
            os.write(self._fd, data)

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            os.close(self._fd)
        shutil.rmtree(self.root, ignore_errors=True)
