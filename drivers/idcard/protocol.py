"""GA/T 467 SAM frame codec: preamble, big-endian length, XOR check, and a resynchronising parser.

Why a parser object instead of "read 7 bytes, then LEN": a USB-serial reader that was unplugged,
power-cycled or hit by noise leaves stray bytes on the line. The parser scans for the preamble,
drops everything before it (counting what it dropped, so the driver can say "garbage on the line"),
and rejects implausible lengths by sliding one byte on, so one bad byte never costs a frame.

Frame (PROTOCOLS.md §1.2): ``AA AA AA 96 69 · LEN_HI LEN_LO · body · CHK`` where LEN counts
body + CHK and CHK is the XOR of LEN_HI … last body byte. A request body is CMD PARA [DATA];
a response body is SW1 SW2 SW3 [DATA].
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import ProtocolError
from kiosk.terminal.error_codes import CommonError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = 7  # preamble + 2 length bytes
MIN_LEN = 3  # smallest LEN: CMD PARA CHK (requests); responses need 4 (SW1 SW2 SW3 CHK)
MAX_LEN = 0x0A00  # largest real answer is the fingerprint read, LEN 0x090A

# (CMD, PARA) of the commands we send (PROTOCOLS.md §1.3)
CMD_RESET = (0x10, 0xFF)
CMD_SAM_STATUS = (0x11, 0xFF)
CMD_SAM_ID = (0x12, 0xFF)
CMD_FIND = (0x20, 0x01)
CMD_SELECT = (0x20, 0x02)
CMD_READ_BASE = (0x30, 0x01)
CMD_READ_EXTRA_ADDRESS = (0x30, 0x03)
CMD_READ_WITH_FINGERPRINT = (0x30, 0x10)
CMD_SET_BAUD = 0x60  # PARA 00…04 = 115200, 57600, 38400, 19200, 9600

COMMAND_NAMES: dict[tuple[int, int], str] = {
    CMD_RESET: "reset SAM",
    CMD_SAM_STATUS: "SAM status",
    CMD_SAM_ID: "read SAM id",
    CMD_FIND: "find card",
    CMD_SELECT: "select card",
    CMD_READ_BASE: "read card",
    CMD_READ_EXTRA_ADDRESS: "read additional address",
    CMD_READ_WITH_FINGERPRINT: "read card with fingerprint",
}

# SW3 values (PROTOCOLS.md §1.4)
SW3_OK = 0x90
SW3_FIND_OK = 0x9F
SW3_NO_CARD = 0x80
SW3_SELECT_FAILED = 0x81
SW3_NO_CONTENT = 0x91
SW3_MEANINGS: dict[int, str] = {
    0x90: "success",
    0x9F: "find card success",
    0x10: "checksum error in host frame",
    0x11: "length error in host frame",
    0x21: "command error",
    0x23: "unauthorised operation",
    0x24: "unrecognised error",
    0x31: "card failed to authenticate the SAM",
    0x32: "SAM failed to authenticate the card",
    0x33: "information verification error",
    0x40: "unrecognised card type",
    0x41: "read card failed",
    0x47: "random-number failure",
    0x60: "SAM self-test failed",
    0x66: "SAM not authorised",
    0x80: "find card failed (no card)",
    0x81: "select card failed",
    0x91: "no content",
}


class ChecksumError(ProtocolError):
    """A complete frame arrived whose XOR check does not match (line noise or a faulty SAM)."""

    error_code = CommonError.CHECKSUM


def xor_check(data: bytes | bytearray | memoryview) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def encode_frame(body: bytes) -> bytes:
    """Wrap a body (request or response) into a full frame with LEN and CHK."""
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError("frame body too long")
    counted = length.to_bytes(2, "big") + body
    return PREAMBLE + counted + bytes([xor_check(counted)])


def encode_request(command: tuple[int, int], data: bytes = b"") -> bytes:
    return encode_frame(bytes(command) + data)


def encode_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    return encode_frame(bytes([sw1, sw2, sw3]) + data)


def sw3_text(sw3: int) -> str:
    return f"SW3={sw3:02X} ({SW3_MEANINGS.get(sw3, 'unknown status')})"


@dataclass(frozen=True)
class Response:
    """A decoded SAM answer: the three status bytes and the data after them."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @classmethod
    def from_body(cls, body: bytes) -> Response:
        if len(body) < 3:
            raise ProtocolError(f"SAM answer too short ({len(body)} body bytes)")
        return cls(body[0], body[1], body[2], bytes(body[3:]))


class FrameParser:
    """Incremental frame extractor that resynchronises on garbage.

    ``feed()`` bytes as they arrive, then call ``next_frame()`` until it returns None. Bytes that
    cannot start a frame are dropped and counted in ``discarded``; complete frames with a wrong
    XOR are counted in ``bad_checksums`` and skipped one byte at a time (the "preamble" may have
    been noise), so a good frame right behind a bad one is still found.
    """

    def __init__(self, min_len: int = MIN_LEN, max_len: int = MAX_LEN) -> None:
        self.min_len = min_len
        self.max_len = max_len
        self._buf = bytearray()
        self.discarded = 0
        self.bad_checksums = 0

    def reset(self) -> None:
        self._buf.clear()
        self.discarded = 0
        self.bad_checksums = 0

    def feed(self, data: bytes) -> None:
        self._buf += data

    def wanted(self) -> int:
        """How many more bytes would complete the frame in progress (≥ 1): the read size to ask for."""
        buf = self._buf
        if len(buf) >= HEADER_LEN and buf.startswith(PREAMBLE):
            length = int.from_bytes(buf[5:7], "big")
            if self.min_len <= length <= self.max_len:
                return max(1, HEADER_LEN + length - len(buf))
        return max(1, HEADER_LEN - len(buf))

    def _drop(self, count: int) -> None:
        del self._buf[:count]
        self.discarded += count

    def next_frame(self) -> bytes | None:
        """The body (between LEN and CHK) of the next complete, valid frame, or None for now."""
        buf = self._buf
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                keep = _partial_preamble_suffix(buf)
                self._drop(len(buf) - keep)
                return None
            if start:
                self._drop(start)
            if len(buf) < HEADER_LEN:
                return None
            length = int.from_bytes(buf[5:7], "big")
            if not self.min_len <= length <= self.max_len:
                self._drop(1)
                continue
            total = HEADER_LEN + length
            if len(buf) < total:
                return None
            if xor_check(memoryview(buf)[5 : total - 1]) != buf[total - 1]:
                self.bad_checksums += 1
                self._drop(1)
                continue
            body = bytes(buf[HEADER_LEN : total - 1])
            del buf[:total]
            return body


def _partial_preamble_suffix(buf: bytearray) -> int:
    """Length of the longest tail of ``buf`` that could be the start of a preamble."""
    for keep in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if PREAMBLE.startswith(bytes(buf[-keep:])):
            return keep
    return 0
