"""Code payload sanity and serial-scanner line framing.

A 渝快码 / 电子身份证 payload is an opaque token: the platform verifies it, so the terminal only
checks that it looks like a token at all (length and charset) and never parses or trusts it.
Serial (and HID-to-serial) scanners send each code as one line: the code's bytes followed by a
terminator (CR, LF or CRLF depending on the scanner's setting).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.errors import InvalidDataError

MIN_LENGTH = 4
MAX_LENGTH = 2048


def check_token(text: str) -> str:
    """Return ``text`` if it is a plausible token: printable ASCII, 4..2048 chars. Else raise."""
    if not MIN_LENGTH <= len(text) <= MAX_LENGTH:
        raise InvalidDataError(f"code length {len(text)} outside {MIN_LENGTH}..{MAX_LENGTH}")
    bad = sum(1 for ch in text if not 0x20 <= ord(ch) <= 0x7E)
    if bad:
        raise InvalidDataError(f"code has {bad} non-printable or non-ASCII characters")
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
    - A line longer than ``MAX_LENGTH`` is garbage: dropped up to its terminator.
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
                self.dropped += 1
                continue
            if line:
                lines.append(line)
        if len(self._buf) > MAX_LENGTH:
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
    """Bytes of one scanned line → checked token text; garbage raises InvalidDataError."""
    try:
        text = line.decode("ascii").strip()
    except UnicodeDecodeError:
        raise InvalidDataError(f"scanner sent {len(line)} bytes that are not ASCII") from None
    return check_token(text)
