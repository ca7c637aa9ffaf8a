"""ESC/POS bytes we send and the real-time status we read back (DLE EOT), in one place.

Why our own encoding: python-escpos 3.1 ``text()`` guesses GB18030 only when a hanzi in
U+4E00–U+9FA5 is present, never sends FS &, and turns ``￥12.50，`` or 【】 into ``?``. We enter
Chinese mode explicitly and encode every string ourselves (GB18030 by default, GBK or UTF-8 by config).
"""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS, FS, DLE, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\n"

INIT = ESC + b"@"
CHINESE_ON = FS + b"&"  # FS & : double-byte (Kanji/Chinese) character mode
CHINESE_OFF = FS + b"."
ENCODINGS = ("gb18030", "gbk", "utf-8")


def bold(on: bool) -> bytes:
    return ESC + b"E" + bytes([1 if on else 0])


def align(code: int) -> bytes:
    """ESC a n: 0 left, 1 centre, 2 right."""
    return ESC + b"a" + bytes([code])


def char_size(width: int, height: int) -> bytes:
    """GS ! n: magnification 1..8 in each direction."""
    return GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])


def feed(lines: int) -> bytes:
    return ESC + b"d" + bytes([max(0, min(255, lines))])


def cut(partial: bool = False) -> bytes:
    """GS V m: 0 full cut, 1 partial cut (after the caller fed past the cutter)."""
    return GS + b"V" + bytes([1 if partial else 0])


def qr_native(data: bytes, module: int, ec: str = "M") -> bytes:
    """GS ( k: model 2, module size, error level, store, print (the Epson function 165/167/169/180/181)."""
    level = {"L": 48, "M": 49, "Q": 50, "H": 51}[ec]
    store_len = len(data) + 3
    if store_len > 0xFFFF:
        raise ValueError("QR data too long")
    return b"".join([
        GS + b"(k" + bytes([4, 0, 49, 65, 50, 0]),
        GS + b"(k" + bytes([3, 0, 49, 67, module]),
        GS + b"(k" + bytes([3, 0, 49, 69, level]),
        GS + b"(k" + bytes([store_len & 0xFF, store_len >> 8, 49, 80, 48]) + data,
        GS + b"(k" + bytes([3, 0, 49, 81, 48]),
    ])


def raster(bits: bytes, width_bytes: int, height: int) -> bytes:
    """GS v 0: a raster bit image, 1 = black, rows of ``width_bytes`` bytes."""
    if len(bits) != width_bytes * height:
        raise ValueError("raster size mismatch")
    return GS + b"v0" + bytes([0, width_bytes & 0xFF, width_bytes >> 8, height & 0xFF, height >> 8]) + bits


def status_query(n: int) -> bytes:
    """DLE EOT n (n = 1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor)."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT {n} is not a status query")
    return DLE + b"\x04" + bytes([n])


#: DLE EOT 20 (0x14), "transmit full status", on kiosk heads with a paper presenter (Custom's
#: VKP/TK/KPM families and their clones): six bytes, 10 0F then paper, user, recoverable and
#: unrecoverable status. Bit 5 of the paper byte is "ticket out": a receipt waits in the presenter.
FULL_STATUS_N = 0x14
FULL_STATUS_LEN = 6
TICKET_OUT = 0x20


def full_status_query() -> bytes:
    return DLE + b"\x04" + bytes([FULL_STATUS_N])


def ticket_in_presenter(reply: bytes) -> bool | None:
    """The presenter bit of a DLE EOT 20 answer; ``None`` when the answer is not one."""
    if len(reply) != FULL_STATUS_LEN or reply[:2] != b"\x10\x0f":
        return None
    return bool(reply[2] & TICKET_OUT)


def encode_full_status(paper: str = "ok", cover_open: bool = False, ticket_out: bool = False) -> bytes:
    """The DLE EOT 20 answer a presenter head in this state sends (used by the emulator)."""
    paper_byte = (0x01 if paper == "out" else 0) | (0x04 if paper == "near_end" else 0) | (TICKET_OUT if ticket_out else 0)
    return bytes([0x10, 0x0F, paper_byte, 0x02 if cover_open else 0, 0, 0])


def valid_status_byte(b: int) -> bool:
    """Every DLE EOT answer has bit 1 and bit 4 set and bits 0 and 7 clear (0x12 when all is well)."""
    return (b & 0x93) == 0x12


@dataclass(frozen=True)
class PrinterState:
    """What DLE EOT told us. ``None`` means the printer did not (validly) answer that query."""

    online: bool | None
    paper: str  # ok | near_end | out | unknown
    cover_open: bool | None
    cutter_error: bool | None
    unrecoverable: bool | None = None
    presented: bool | None = None  # a receipt waits in the presenter (only heads that report it)

    @property
    def answered(self) -> bool:
        return self.online is not None or self.paper != "unknown"

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"online": self.online, "paper": self.paper, "cover_open": self.cover_open, "cutter_error": self.cutter_error}
        if self.presented is not None:
            out["presented"] = self.presented
        return out


UNKNOWN_STATE = PrinterState(None, "unknown", None, None, None)


def decode_status(replies: dict[int, int | None]) -> PrinterState:
    """Turn the answers to DLE EOT 1..4 into a state; a missing or malformed answer stays unknown, never ok."""
    def ok(n: int) -> int | None:
        b = replies.get(n)
        return b if b is not None and valid_status_byte(b) else None

    printer, offline, error, paper = ok(1), ok(2), ok(3), ok(4)
    online = None if printer is None else not (printer & 0x08)
    cover = None if offline is None else bool(offline & 0x04)
    cutter = None if error is None else bool(error & 0x08)
    unrecoverable = None if error is None else bool(error & 0x20)
    if paper is not None:
        paper_s = "out" if paper & 0x60 else ("near_end" if paper & 0x0C else "ok")
    elif offline is not None and offline & 0x20:
        paper_s = "out"  # "stopped by paper end" in the offline cause
    else:
        paper_s = "unknown"
    return PrinterState(online, paper_s, cover, cutter, unrecoverable)


def encode_status(online: bool = True, paper: str = "ok", cover_open: bool = False, cutter_error: bool = False) -> dict[int, int]:
    """The four status bytes a printer in this state answers (used by the emulator)."""
    out = paper == "out"
    offline = cover_open or out or cutter_error
    return {
        1: 0x12 | (0x08 if (offline or not online) else 0),
        2: 0x12 | (0x04 if cover_open else 0) | (0x20 if out else 0) | (0x40 if cutter_error else 0),
        3: 0x12 | (0x08 if cutter_error else 0),
        4: 0x12 | (0x60 if out else (0x0C if paper == "near_end" else 0)),
    }
