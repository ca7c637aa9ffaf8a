"""Keyboard-wedge scanners: Linux key codes (US layout) → the characters the scanner meant to type.

A USB HID scanner in keyboard mode "types" each code as key presses: a letter is its key, upper
case is Shift + key, and Enter (or Tab, by the scanner's setting) ends the code. The kernel hands us
key *positions* (``KEY_*`` codes from ``linux/input-event-codes.h``), not characters, so the
layout the scanner was programmed for must be known: scanners ship set to US, and that is the one
map here (``US_LAYOUT``: code → (plain, with Shift)). Keys outside it (ISO ``KEY_102ND``, media
keys), AltGr, Ctrl + key and Alt + keypad digits (how a scanner "types" a character the layout
lacks: a Chinese QR, a GS separator) are recorded as problems: the line is then rejected at once.

Only presses (value 1) type; releases (0) only end a modifier. An autorepeat (2) means a key was
held down for the kernel's repeat delay, which a scanner never does: the code is flagged, not padded. A partial code
left without its terminator for ``stale_s`` is dropped, as on the serial line, so a cut-off scan
never glues itself onto the next citizen's code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.barcode.protocol import MAX_LENGTH

# linux/input-event-codes.h
EV_SYN, EV_KEY = 0x00, 0x01
SYN_REPORT, SYN_DROPPED = 0, 3
KEY_TAB, KEY_ENTER, KEY_KPENTER = 15, 28, 96
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
KEY_LEFTCTRL, KEY_RIGHTCTRL = 29, 97
KEY_LEFTALT, KEY_RIGHTALT = 56, 100  # RIGHTALT is AltGr on non-US layouts
KEY_CAPSLOCK, KEY_NUMLOCK = 58, 69
KEY_LEFTMETA, KEY_RIGHTMETA = 125, 126

_ROWS = (  # (first key code, plain characters, shifted characters) along each row of a US keyboard
    (2, "1234567890-=", "!@#$%^&*()_+"),
    (16, "qwertyuiop[]", "QWERTYUIOP{}"),
    (30, "asdfghjkl;'`", 'ASDFGHJKL:"~'),
    (43, "\\zxcvbnm,./", "|ZXCVBNM<>?"),
)
US_LAYOUT: dict[int, tuple[str, str]] = {
    code + i: (plain[i], shifted[i]) for code, plain, shifted in _ROWS for i in range(len(plain))
}
US_LAYOUT[57] = (" ", " ")  # KEY_SPACE
US_LAYOUT[KEY_TAB] = ("\t", "\t")  # a field separator when Tab is not the terminator (then rejected)
KEYPAD: dict[int, str] = {  # the keypad types the same with or without NumLock on a scanner
    71: "7", 72: "8", 73: "9", 74: "-", 75: "4", 76: "5", 77: "6", 78: "+",
    79: "1", 80: "2", 81: "3", 82: "0", 83: ".", 55: "*", 98: "/",
}
MODIFIERS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_LEFTCTRL, KEY_RIGHTCTRL, KEY_LEFTALT, KEY_RIGHTALT,
                       KEY_CAPSLOCK, KEY_NUMLOCK, KEY_LEFTMETA, KEY_RIGHTMETA})
TERMINATOR_KEYS: dict[str, frozenset[int]] = {
    "enter": frozenset({KEY_ENTER, KEY_KPENTER}),
    "tab": frozenset({KEY_TAB}),
    "any": frozenset({KEY_ENTER, KEY_KPENTER, KEY_TAB}),
}


@dataclass(frozen=True)
class KeyedLine:
    """One code as typed: its characters, and what could not be typed as a US-layout character."""

    text: str
    problems: tuple[str, ...] = ()


@dataclass
class _Partial:
    chars: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    overlong: bool = False

    def add(self, ch: str) -> None:
        if len(self.chars) > MAX_LENGTH:
            self.overlong = True  # kept at MAX_LENGTH + 1: the length check rejects it
        else:
            self.chars.append(ch)

    def problem(self, what: str) -> None:
        if what not in self.problems:
            self.problems.append(what)

    def __bool__(self) -> bool:
        return bool(self.chars or self.problems)


class KeyTranslator:
    """Key events in, typed lines out (``feed``); one per scanner, state kept between reads."""

    def __init__(self, terminator: str = "enter", stale_s: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        if terminator not in TERMINATOR_KEYS:
            raise ValueError(f"unknown terminator {terminator!r} (known: {', '.join(TERMINATOR_KEYS)})")
        self._ends = TERMINATOR_KEYS[terminator]
        self.stale_s = stale_s
        self._clock = clock
        self._held: set[int] = set()
        self._caps = False
        self._alt_digits = ""
        self._line = _Partial()
        self._last_key_at = 0.0
        self.dropped = 0  # partial lines thrown away (stale, or cut by a SYN_DROPPED)

    def feed(self, ev_type: int, code: int, value: int) -> list[KeyedLine]:
        """One input event; the lines it completes (0 or 1)."""
        if ev_type == EV_SYN and code == SYN_DROPPED:  # the kernel's buffer overflowed: keys were lost
            self._held.clear()
            self._alt_digits = ""
            if self._line:
                self._line.problem("key events were lost (SYN_DROPPED)")
            return []
        if ev_type != EV_KEY:
            return []
        now = self._clock()
        self.expire(now)
        self._last_key_at = now
        if value == 0:
            self._release(code)
            return []
        if code in MODIFIERS:
            if code == KEY_CAPSLOCK and value == 1:
                self._caps = not self._caps
            self._held.add(code)
            return []
        if value != 1:  # autorepeat: a key stuck down (or a person leaning on a keyboard), not a scan
            self._line.problem(f"key code {code} held down (autorepeat)")
            return []
        if code in self._ends and not self._alt_digits:
            return self._finish()
        self._type(code)
        return []

    def expire(self, now: float | None = None) -> bool:
        """Drop a stale partial line; True if one was dropped."""
        now = self._clock() if now is None else now
        if self._line and now - self._last_key_at > self.stale_s:
            self.clear()
            self.dropped += 1
            return True
        return False

    def clear(self) -> None:
        """Forget a partial line (and any Alt + keypad sequence); modifier state is kept."""
        self._line = _Partial()
        self._alt_digits = ""

    def _release(self, code: int) -> None:
        self._held.discard(code)
        if code == KEY_LEFTALT and self._alt_digits:  # Alt + keypad digits: a character by number
            number, self._alt_digits = int(self._alt_digits), ""
            self._line.add(chr(number) if number < 0x110000 else "\ufffd")
            if number > 0x7E or number < 0x20:
                self._line.problem(f"Alt + keypad character number {number} (the scanner types what the layout lacks)")

    def _type(self, code: int) -> None:
        held = self._held
        if KEY_LEFTALT in held and code in KEYPAD and KEYPAD[code].isdigit():
            self._alt_digits += KEYPAD[code]
            return
        if code in KEYPAD:
            self._line.add(KEYPAD[code])
            return
        if code not in US_LAYOUT:
            self._line.add("\ufffd")
            self._line.problem(f"key code {code} has no character on the US layout")
            return
        plain, shifted = US_LAYOUT[code]
        shift = bool(held & {KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
        if plain.isalpha() and self._caps:
            shift = not shift
        ch = shifted if shift else plain
        if held & {KEY_LEFTCTRL, KEY_RIGHTCTRL}:
            self._line.problem(f"Ctrl + {plain!r} (a control character)")
        elif held & {KEY_RIGHTALT, KEY_LEFTALT}:
            self._line.problem(f"Alt + {plain!r} (AltGr: the scanner is set to another keyboard layout)")
        self._line.add(ch)

    def _finish(self) -> list[KeyedLine]:
        line, self._line = self._line, _Partial()
        if not line:
            return []  # an Enter alone (the scanner's prefix, or a double terminator): nothing scanned
        problems = list(line.problems)
        if line.overlong:
            problems.insert(0, f"code longer than {MAX_LENGTH} characters")
        return [KeyedLine("".join(line.chars), tuple(problems))]
