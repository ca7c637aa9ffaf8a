"""Split an ESC/POS byte stream into commands and text runs, knowing every command's length.

Why a shared tokenizer: the emulator must find DLE EOT queries and cuts without mistaking raster
or QR payload bytes for commands, and the renderer must walk the same commands. ``next_token``
returns ``None`` when the buffer ends inside a command, so a streaming peer can wait for more.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Fixed argument counts of the commands we know (after the 1–2 byte prefix).
ESC_ARGS = {b"@": 0, b"!": 1, b"E": 1, b"a": 1, b"d": 1, b"J": 1, b"2": 0, b"3": 1, b"t": 1, b"-": 1, b"G": 1,
            b"M": 1, b"R": 1, b"{": 1, b"p": 3, b"v": 0, b"V": 1, b" ": 1, b"$": 2, b"\\": 2, b"c": 2, b"=": 1}
GS_ARGS = {b"!": 1, b"B": 1, b"L": 2, b"W": 2, b"H": 1, b"h": 1, b"w": 1, b"r": 1, b"a": 1, b"I": 1, b"f": 1, b"x": 1}
FS_ARGS = {b"&": 0, b".": 0, b"C": 1, b"!": 1, b"-": 1, b"W": 1, b"S": 2, b"p": 2}


@dataclass(frozen=True)
class Token:
    """``kind``: text | LF | CR | HT | FF | ESC x | GS x | FS x | DLE EOT | DLE ENQ | unknown."""

    kind: str
    start: int
    end: int
    args: bytes = b""


def next_token(buf: bytes, i: int) -> Token | None:
    """The token starting at ``i``, or ``None`` if the buffer ends before it does."""
    n = len(buf)
    b = buf[i]
    if b >= 0x20:
        j = i
        while j < n and buf[j] >= 0x20:
            j += 1
        return Token("text", i, j, buf[i:j])
    simple = {0x0A: "LF", 0x0D: "CR", 0x09: "HT", 0x0C: "FF"}
    if b in simple:
        return Token(simple[b], i, i + 1)
    if i + 1 >= n:
        return None if b in (0x1B, 0x1D, 0x1C, 0x10) else Token("unknown", i, i + 1, buf[i:i + 1])
    c = buf[i + 1:i + 2]
    if b == 0x1B:
        return _fixed(buf, i, "ESC " + c.decode("latin-1"), ESC_ARGS.get(c))
    if b == 0x1C:
        return _fixed(buf, i, "FS " + c.decode("latin-1"), FS_ARGS.get(c))
    if b == 0x10:
        if c in (b"\x04", b"\x05"):
            return _fixed(buf, i, "DLE EOT" if c == b"\x04" else "DLE ENQ", 1)
        return Token("unknown", i, i + 2, buf[i:i + 2])
    if b == 0x1D:
        return _gs(buf, i, c)
    return Token("unknown", i, i + 1, buf[i:i + 1])


def _fixed(buf: bytes, i: int, kind: str, nargs: int | None) -> Token | None:
    if nargs is None:
        return Token("unknown", i, i + 2, buf[i:i + 2])
    end = i + 2 + nargs
    if end > len(buf):
        return None
    return Token(kind, i, end, buf[i + 2:end])


def _gs(buf: bytes, i: int, c: bytes) -> Token | None:
    n = len(buf)
    if c == b"V":  # GS V m [n]: m 65/66 take a feed amount
        if i + 2 >= n:
            return None
        m = buf[i + 2]
        end = i + 3 + (1 if m in (65, 66) else 0)
        return None if end > n else Token("GS V", i, end, buf[i + 2:end])
    if c == b"v":  # GS v 0 m xL xH yL yH d1..dk
        if i + 8 > n:
            return None
        xb = buf[i + 4] | buf[i + 5] << 8
        yd = buf[i + 6] | buf[i + 7] << 8
        end = i + 8 + xb * yd
        return None if end > n else Token("GS v", i, end, buf[i + 3:end])
    if c in (b"(", b"8"):  # GS ( fn pL pH … / GS 8 L p1..p4 … : length-prefixed functions
        if c == b"8":
            if i + 7 > n:
                return None
            size = int.from_bytes(buf[i + 3:i + 7], "little")
            end = i + 7 + size
            return None if end > n else Token("GS 8", i, end, buf[i + 2:end])
        if i + 5 > n:
            return None
        size = buf[i + 3] | buf[i + 4] << 8
        end = i + 5 + size
        return None if end > n else Token("GS (" + chr(buf[i + 2]), i, end, buf[i + 5:end])
    return _fixed(buf, i, "GS " + c.decode("latin-1"), GS_ARGS.get(c))


def tokenize(buf: bytes) -> tuple[list[Token], int]:
    """All complete tokens and the offset where an incomplete trailing command starts (or ``len(buf)``)."""
    tokens: list[Token] = []
    i = 0
    while i < len(buf):
        tok = next_token(buf, i)
        if tok is None:
            break
        tokens.append(tok)
        i = tok.end
    return tokens, i
