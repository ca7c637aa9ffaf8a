"""社保卡 APDUs and record parsing, free of pyscard so the emulator and the tests share them.

Facts (../shared/PROTOCOLS.md §3.2): the SSSE application is selected by the name "sx1.sh." +
GBK "社会保障"; EF05 holds the card-basic records (01 identification code … 07 card number),
EF06 the personal records (08 social security number, 09 name in GBK). Records come back as
tag | length | value. pyscard does no GET RESPONSE: ``exchange`` does it (61xx) and re-sends
with the right Le on 6Cxx, because cards differ in which of the two they use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.errors import DeviceError, InvalidDataError, ProtocolError
from kiosk.identity.gb11643 import IdNumberProblem, id_number_problem

SSSE_AID = b"sx1.sh." + "社会保障".encode("gbk")  # 15 bytes: 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF
#: Our maintenance card's application (proprietary RID F0…, not a 社保卡): technician id + name.
TECH_AID = b"\xf0" + b"YKB.TECH"

EF_CARD_BASIC = 0xEF05
EF_PERSONAL = 0xEF06
EF_TECHNICIAN = 0xEF01

# EF05 record tags (= record numbers): identification code, card type, version, issuing org,
# issue date, expiry date, card number.
TAG_IDENT_CODE, TAG_CARD_TYPE, TAG_VERSION, TAG_ISSUER_ORG, TAG_ISSUE_DATE, TAG_VALID_TO, TAG_CARD_NUMBER = range(1, 8)
# EF06 record tags: social security number, name; nation is read when present (not in the facts).
TAG_SSN, TAG_NAME, TAG_NATION = 0x08, 0x09, 0x0B
# Technician EF01 record tags.
TAG_TECH_ID, TAG_TECH_NAME = 0x01, 0x02

SW_OK = 0x9000
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83

#: The worst a card may chain GET RESPONSEs before we call it broken.
MAX_GET_RESPONSE = 32

class WrongCard(DeviceError):
    """The card answered, but has no application we read (e.g. a bank card on the 社保卡 reader)."""

    def __init__(self, message: str, card: str = "unknown") -> None:
        super().__init__(message)
        self.card = card


Transmit = Callable[[bytes], tuple[bytes, int]]  # APDU → (data, sw)


def select_by_name(aid: bytes) -> bytes:
    return bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid


def select_ef(fid: int) -> bytes:
    return bytes([0x00, 0xA4, 0x00, 0x00, 0x02, fid >> 8, fid & 0xFF])


def read_record_by_number(number: int, le: int = 0) -> bytes:
    """READ RECORD with P2=04: P1 is the record number."""
    return bytes([0x00, 0xB2, number, 0x04, le])


def read_record_by_tag(tag: int, le: int = 0) -> bytes:
    """READ RECORD with P2=00: P1 is the record identifier (tag)."""
    return bytes([0x00, 0xB2, tag, 0x00, le])


def get_response(le: int) -> bytes:
    return bytes([0x00, 0xC0, 0x00, 0x00, le & 0xFF])


def exchange(transmit: Transmit, apdu: bytes) -> tuple[bytes, int]:
    """Send ``apdu``; follow 61xx with GET RESPONSE (accumulating) and 6Cxx with one re-send."""
    data, sw = transmit(apdu)
    if sw >> 8 == 0x6C:
        if len(apdu) < 5:
            raise ProtocolError(f"card asked for Le={sw & 0xFF:#04x} on a command without Le")
        data, sw = transmit(apdu[:-1] + bytes([sw & 0xFF]))
        if sw >> 8 == 0x6C:
            raise ProtocolError(f"card answered 6Cxx twice to {apdu[:2].hex()}")
    collected = bytearray(data)
    rounds = 0
    while sw >> 8 == 0x61:
        rounds += 1
        if rounds > MAX_GET_RESPONSE:
            raise ProtocolError("card keeps answering 61xx to GET RESPONSE")
        data, sw = transmit(get_response(sw & 0xFF))
        collected += data
    return bytes(collected), sw


def parse_record(raw: bytes, tag: int) -> bytes:
    """``tag | length | value`` → value; a wrong tag or length is a protocol error."""
    if len(raw) < 2:
        raise ProtocolError(f"record {tag:#04x}: {len(raw)} bytes, too short for tag and length")
    if raw[0] != tag:
        raise ProtocolError(f"record {tag:#04x}: card returned tag {raw[0]:#04x}")
    length = raw[1]
    if length > len(raw) - 2:
        raise ProtocolError(f"record {tag:#04x}: length {length} exceeds the {len(raw) - 2} bytes returned")
    return raw[2 : 2 + length]


def encode_record(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


def strip_padding(value: bytes) -> bytes:
    return value.rstrip(b"\x00\xff\x20")


def decode_text(value: bytes, what: str, encoding: str = "ascii") -> str:
    try:
        return strip_padding(value).decode(encoding)
    except UnicodeDecodeError:
        raise InvalidDataError(f"{what} is not valid {encoding.upper()}") from None


def decode_date(value: bytes) -> str:
    """A 4-byte BCD YYYYMMDD or 8 ASCII digits → ``YYYY-MM-DD``; anything else → ``""``."""
    value = strip_padding(value) if len(value) != 4 else value
    digits = value.hex() if len(value) == 4 else value.decode("ascii", "replace")
    if len(digits) != 8 or not digits.isdigit():
        return ""
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def decode_bcd(value: bytes) -> str:
    digits = value.hex()
    return digits if digits.isdigit() else ""


def check_id_number(number: str) -> None:
    """Raise InvalidDataError unless ``number`` is a valid GB 11643 ID number (kiosk.identity.gb11643)."""
    problem = id_number_problem(number)
    if problem is IdNumberProblem.FORM:
        raise InvalidDataError("social security number is not an 18-character ID number")
    if problem is not None:
        raise InvalidDataError(f"social security number: {problem.value}")


@dataclass(frozen=True)
class IdNumberFacts:
    """What GB 11643 encodes in the number itself: birth date and sex (odd 17th digit = male)."""

    birth_date: str
    sex_code: str  # GB/T 2261.1: 1 male, 2 female

    @classmethod
    def of(cls, number: str) -> IdNumberFacts:
        return cls(f"{number[6:10]}-{number[10:12]}-{number[12:14]}", "1" if int(number[16]) % 2 else "2")
