"""Code payload sanity and serial-scanner line framing.

A 渝快码 / 电子身份证 payload is an opaque token: the platform verifies it, so the terminal only
checks that it looks like a token at all (length and charset) and never parses or trusts it.
Serial (and HID-to-serial) scanners send each code as one line: the code's bytes followed by a
terminator (CR, LF or CRLF depending on the scanner's setting).

A complete line that is not a token (another app's Chinese QR, a wrong baud rate, a scanner in the
wrong keyboard mode) is a scan the citizen just made: the reader answers it at once with
``UNREADABLE_CODE`` rather than waiting silently for its deadline. Descriptions name sizes and
causes, never the content (a foreign QR may carry someone's personal data).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.errors import InvalidDataError

MIN_LENGTH = 4
MAX_LENGTH = 2048
UNREADABLE_CODE = "无法识别此二维码，请出示渝快码"  # the citizen's sentence for any scan that is not a token


def check_token(text: str) -> str:
    """Return ``text`` if it is a plausible token: printable ASCII, 4..2048 chars. Else raise."""
    if len(text) > MAX_LENGTH:
        raise InvalidDataError(f"code longer than {MAX_LENGTH} characters")
    if len(text) < MIN_LENGTH:
        raise InvalidDataError(f"code of {len(text)} characters, shorter than {MIN_LENGTH}")
    wide = sum(1 for ch in text if ord(ch) > 0x7E)
    control = sum(1 for ch in text if ord(ch) < 0x20 or ord(ch) == 0x7F)
    if wide or control:
        parts = [f"{wide} not ASCII" if wide else "", f"{control} control characters" if control else ""]
        raise InvalidDataError(f"code of {len(text)} characters, {' and '.join(p for p in parts if p)}: not a 渝快码")
    return text


TERMINATORS: dict[str, tuple[bytes, ...]] = {
    "any": (b"\r\n", b"\r", b"\n"),
    "crlf": (b"\r\n",),
    "cr": (b"\r",),
    "lf": (b"\n",),
}


class LineFramer:
    """Splits a scanner's byte stream into lines.

    - Empty lines (the LF of a CRLF seen as its own line under ``any``) are skipped.
    - A partial line left without its terminator for ``stale_s`` is dropped, so a scan cut off by
      a glitch never glues itself onto the next citizen's code.
    - A line longer than ``MAX_LENGTH`` is garbage: its first ``MAX_LENGTH + 1`` bytes are
      returned when its terminator comes (so the length check rejects it, at once), the rest dropped.
    """

    def __init__(self, terminator: str = "any", stale_s: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        if terminator not in TERMINATORS:
            raise ValueError(f"unknown terminator {terminator!r} (known: {', '.join(TERMINATORS)})")
        self._terms = TERMINATORS[terminator]
        self.stale_s = stale_s
        self._clock = clock
        self._buf = bytearray()
        self._last_byte_at = 0.0
        self._overflow = False
        self._overlong = b""  # the head of a line that outgrew MAX_LENGTH
        self.dropped = 0  # partial or overlong lines thrown away

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the complete lines they finish (without terminators)."""
        now = self._clock()
        self.expire(now)
        if data:
            self._last_byte_at = now
            self._buf += data
        lines: list[bytes] = []
        while True:
            cut = self._find_terminator()
            if cut is None:
                break
            end, term_len = cut
            line = bytes(self._buf[:end])
            del self._buf[: end + term_len]
            if self._overflow:
                self._overflow = False
                line = self._overlong  # too long to be a token: the length check rejects it
            if line:
                lines.append(line)
        if len(self._buf) > MAX_LENGTH:
            if not self._overflow:
                self._overlong = bytes(self._buf[: MAX_LENGTH + 1])
            self._buf.clear()
            self._overflow = True
        return lines

    def expire(self, now: float | None = None) -> bool:
        """Drop a stale partial line; True if one was dropped."""
        now = self._clock() if now is None else now
        if (self._buf or self._overflow) and now - self._last_byte_at > self.stale_s:
            self._buf.clear()
            self._overflow = False
            self.dropped += 1
            return True
        return False

    def clear(self) -> None:
        self._buf.clear()
        self._overflow = False

    def _find_terminator(self) -> tuple[int, int] | None:
        best: tuple[int, int] | None = None
        for term in self._terms:
            at = self._buf.find(term)
            if at >= 0 and (best is None or at < best[0] or (at == best[0] and len(term) > best[1])):
                best = (at, len(term))
        return best


def decode_line(line: bytes) -> str:
    """Bytes of one scanned line → checked token text; garbage raises InvalidDataError saying what it was."""
    try:
        text = line.decode("ascii").strip()
    except UnicodeDecodeError:
        raise InvalidDataError(describe_non_ascii(line)) from None
    return check_token(text)


def describe_non_ascii(line: bytes) -> str:
    """What a non-ASCII line probably is, for the technician (sizes only, never the content)."""
    for encoding, what in (("utf-8", "UTF-8 text"), ("gb18030", "GB18030/GBK text")):
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError:
            continue
        if all(ch.isprintable() or ch.isspace() for ch in text):
            wide = sum(1 for ch in text if ord(ch) > 0x7E)
            return f"a code of {len(text)} characters in {what}, {wide} of them not ASCII: not a 渝快码 (another app's QR code?)"
    bad = sum(1 for b in line if not 0x20 <= b <= 0x7E)
    return f"{len(line)} bytes that are not text ({bad} outside printable ASCII): line noise or a wrong baud rate?"
