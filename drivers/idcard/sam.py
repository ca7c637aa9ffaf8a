"""The SAM's command set on top of a ``SerialLink``: one method per GA/T 467 command.

Each method knows its command's success status and payload shape (PROTOCOLS.md §1.3–1.5) and
turns any other SW3 into a ``SamStatusError`` that names the code; "no card" and "no additional
address" are ordinary answers (False / None), not errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.idcard import protocol as P
from drivers.idcard.layouts import parse_address
from drivers.idcard.transport import SerialLink
from kiosk.errors import ProtocolError
from kiosk.terminal.cancel import CancelToken


class SamStatusError(ProtocolError):
    """The SAM answered with an unexpected SW3."""

    def __init__(self, label: str, sw3: int) -> None:
        super().__init__(f"{label}: SAM answered {P.sw3_text(sw3)}")
        self.sw3 = sw3


@dataclass(frozen=True)
class RawCard:
    """What a read returns before parsing: the text block, the WLT photo and the fingerprint."""

    text: bytes
    photo: bytes
    fingerprint: bytes = b""


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for each kind of answer; the reference hosts use ~1 s and ~3–3.5 s."""

    control_s: float = 1.0
    find_s: float = 1.0
    read_s: float = 3.5


class Sam:
    def __init__(self, link: SerialLink, timeouts: Timeouts = Timeouts()) -> None:
        self.link = link
        self.timeouts = timeouts

    def _call(self, command: tuple[int, int], token: CancelToken, timeout_s: float) -> P.Response:
        label = P.COMMAND_NAMES[command]
        return self.link.exchange(P.encode_request(command), token, timeout_s, label)

    def _expect(self, command: tuple[int, int], token: CancelToken, timeout_s: float, ok: int = P.SW3_OK) -> bytes:
        response = self._call(command, token, timeout_s)
        if response.sw3 != ok:
            raise SamStatusError(P.COMMAND_NAMES[command], response.sw3)
        return response.data

    def reset(self, token: CancelToken) -> None:
        self._expect(P.CMD_RESET, token, self.timeouts.control_s)

    def check_status(self, token: CancelToken) -> None:
        self._expect(P.CMD_SAM_STATUS, token, self.timeouts.control_s)

    def sam_id(self, token: CancelToken) -> str:
        return format_sam_id(self._expect(P.CMD_SAM_ID, token, self.timeouts.control_s))

    def find(self, token: CancelToken) -> bool:
        """True when a card answered; False for "no card" (or a card already read and not lifted)."""
        response = self._call(P.CMD_FIND, token, self.timeouts.find_s)
        if response.sw3 == P.SW3_FIND_OK:
            return True
        if response.sw3 == P.SW3_NO_CARD:
            return False
        raise SamStatusError("find card", response.sw3)

    def select(self, token: CancelToken) -> bytes | None:
        """The card serial, or None when selection failed (card gone or moved)."""
        response = self._call(P.CMD_SELECT, token, self.timeouts.find_s)
        if response.sw3 == P.SW3_OK:
            return response.data
        if response.sw3 == P.SW3_SELECT_FAILED:
            return None
        raise SamStatusError("select card", response.sw3)

    def read(self, token: CancelToken, fingerprint: bool = False) -> RawCard:
        command = P.CMD_READ_WITH_FINGERPRINT if fingerprint else P.CMD_READ_BASE
        return split_read(self._expect(command, token, self.timeouts.read_s), fingerprint)

    def read_extra_address(self, token: CancelToken) -> str | None:
        response = self._call(P.CMD_READ_EXTRA_ADDRESS, token, self.timeouts.read_s)
        if response.sw3 == P.SW3_NO_CONTENT:
            return None
        if response.sw3 != P.SW3_OK:
            raise SamStatusError("read additional address", response.sw3)
        return parse_address(response.data) or None


def split_read(data: bytes, fingerprint: bool) -> RawCard:
    """Split ``textlen photolen [fplen] text photo [fp]`` and check the lengths add up."""
    head = 6 if fingerprint else 4
    if len(data) < head:
        raise ProtocolError(f"read answer too short ({len(data)} bytes)")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    fp_len = int.from_bytes(data[4:6], "big") if fingerprint else 0
    if len(data) != head + text_len + photo_len + fp_len:
        raise ProtocolError(f"read answer is {len(data)} bytes but its length fields say {head + text_len + photo_len + fp_len}")
    text = data[head : head + text_len]
    photo = data[head + text_len : head + text_len + photo_len]
    return RawCard(text, photo, data[head + text_len + photo_len :])


def format_sam_id(data: bytes) -> str:
    """Display form of the 16-byte SAM id, grouped as cdGH/Ids ``ExtractSafeModuleNumber`` does:
    byte 0 and byte 2 as two digits, then three little-endian 32-bit fields (the last two as 9
    digits). [U] Another implementation groups differently; this string is for display only."""
    if len(data) < 16:
        return data.hex()
    i32 = lambda a: int.from_bytes(data[a : a + 4], "little", signed=True)  # noqa: E731
    return f"{data[0]:02d}.{data[2]:02d}-{i32(4)}-{i32(8):09d}-{i32(12):09d}"
