"""The 256-byte text block: the three card layouts, parsed into ``IdCardData`` and built back.

All fields are UCS-2 little-endian, space padded (PROTOCOLS.md §1.6/1.7). The layout is chosen by
the type flag at byte 248: space (or anything unknown) → resident card, 'J' → 港澳台居民居住证,
'I' → 外国人永久居留身份证 (pre-2023), 'Y' → the 2023 version. The 'Y' offsets of 220–241, @32 and
@158 are uncertain in the sources: we read 220–241 as the continuation of the foreign name, @32 as
the renewal count and @158 as the issuing authority, and say so here rather than guess silently.
The 18-digit 'Y' number is checked with the GB 11643 check digit like resident and 'J' numbers
(the 2023 card adopted that structure) [U]; the 15-character 'I' number only for its form.

The encoder exists for the emulator (and tests): the same tables drive both directions, so a
parser bug cannot hide behind a matching encoder bug in a different table.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from drivers.idcard.identity import id_number_problem, nation_text, sex_text
from kiosk.errors import InvalidDataError
from kiosk.terminal.media import IdCardData

TEXT_LEN = 256
FLAG_OFFSET = 248
LONG_TERM = "长期"

Field = tuple[str, int, int]  # name, byte offset, byte size

_COMMON_HEAD: tuple[Field, ...] = (
    ("name", 0, 30),
    ("sex_code", 30, 2),
    ("nation_code", 32, 4),
    ("birth_date", 36, 16),
    ("address", 52, 70),
    ("id_number", 122, 36),
    ("issuer", 158, 30),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
)

LAYOUTS: dict[str, tuple[Field, ...]] = {
    " ": _COMMON_HEAD,
    "J": _COMMON_HEAD + (("pass_number", 220, 18), ("issue_count", 238, 4)),
    "I": (
        ("english_name", 0, 120),
        ("sex_code", 120, 2),
        ("id_number", 122, 30),
        ("nationality_code", 152, 6),
        ("name", 158, 30),
        ("valid_from", 188, 16),
        ("valid_to", 204, 16),
        ("birth_date", 220, 16),
        ("card_version", 236, 4),
        ("issuer", 240, 8),  # authority code (受理机关代码); the card carries no authority name
    ),
    "Y": (
        ("name", 0, 30),
        ("sex_code", 30, 2),
        ("issue_count", 32, 4),  # [U] nation field reused as renewal count
        ("birth_date", 36, 16),
        ("english_name", 52, 70),
        ("id_number", 122, 36),
        ("issuer", 158, 30),  # [U]
        ("valid_from", 188, 16),
        ("valid_to", 204, 16),
        ("english_name_2", 220, 22),  # [U] continuation of the foreign name
        ("nationality_code", 242, 6),
    ),
}

CARD_TYPES = {" ": "resident", "J": "hmt_permit", "I": "foreign_permanent", "Y": "foreign_permanent"}
_DATE_FIELDS = ("birth_date", "valid_from", "valid_to")


def _decode(block: bytes, offset: int, size: int) -> str:
    return block[offset : offset + size].decode("utf-16-le", errors="replace").strip(" \0\u3000")


def layout_flag(block: bytes) -> str:
    flag = _decode(block, FLAG_OFFSET, 2)
    return flag if flag in LAYOUTS and flag else " "


def _iso_date(raw: str, field: str) -> str:
    if field == "valid_to" and raw == LONG_TERM:
        return LONG_TERM
    try:
        return _dt.datetime.strptime(raw, "%Y%m%d").date().isoformat()
    except ValueError:
        raise InvalidDataError(f"{field} is not a date (YYYYMMDD)") from None


def parse_text(block: bytes) -> dict[str, str]:
    """Raw decoded fields of a text block (no validation): what the SAM handed us, as strings."""
    if len(block) < TEXT_LEN:
        raise InvalidDataError(f"text block is {len(block)} bytes, expected {TEXT_LEN}")
    flag = layout_flag(block)
    fields = {name: _decode(block, off, size) for name, off, size in LAYOUTS[flag]}
    fields["flag"] = flag
    return fields


def parse_card(block: bytes, photo_wlt: bytes = b"", fingerprint: bytes = b"", extra_address: str = "") -> IdCardData:
    """Decode and validate a text block. Raises ``InvalidDataError`` on a wrong check digit or date."""
    raw = parse_text(block)
    flag = raw["flag"]
    dates = {f: _iso_date(raw[f], f) for f in _DATE_FIELDS}
    number = raw["id_number"].upper()
    if flag == "I":
        if not (len(number) == 15 and number[:3].isalpha() and number[3:].isdigit()):
            raise InvalidDataError("permanent residence number is not 3 letters and 12 digits")
    else:
        problem = id_number_problem(number)
        if problem:
            raise InvalidDataError(problem)
    english = (raw.get("english_name", "") + raw.get("english_name_2", "")).strip()
    nation_code = raw.get("nation_code", "") if flag == " " else ""
    if flag == " " and not nation_text(nation_code):
        raise InvalidDataError(f"unknown nation code {nation_code!r}")
    return IdCardData(
        card_type=CARD_TYPES[flag],
        name=raw["name"] or english,
        sex=sex_text(raw["sex_code"]),
        sex_code=raw["sex_code"],
        nation=nation_text(nation_code),
        nation_code=nation_code,
        birth_date=dates["birth_date"],
        address=raw.get("address", ""),
        id_number=number,
        issuer=raw.get("issuer", ""),
        valid_from=dates["valid_from"],
        valid_to=dates["valid_to"],
        pass_number=raw.get("pass_number", ""),
        issue_count=raw.get("issue_count", ""),
        english_name=english,
        nationality_code=raw.get("nationality_code", ""),
        extra_address=extra_address,
        photo_wlt=photo_wlt,
        fingerprint=fingerprint,
    )


# ----- building blocks (emulator, tests) --------------------------------------------------------
_FLAGS_BY_TYPE = {"resident": " ", "hmt_permit": "J", "foreign_permanent": "I"}


def _wire_date(value: str) -> str:
    return value if value == LONG_TERM else value.replace("-", "")


def build_text(card: Mapping[str, Any]) -> bytes:
    """The 256-byte block for a card description (the JSON shape of ``cards/*.json``)."""
    flag = str(card.get("layout") or _FLAGS_BY_TYPE[str(card.get("card_type", "resident"))])
    values = {k: str(v) for k, v in card.items()}
    for f in _DATE_FIELDS:
        if f in values:
            values[f] = _wire_date(values[f])
    if flag == "Y" and "english_name" in values:  # split the foreign name across its two fields
        values["english_name"], values["english_name_2"] = values["english_name"][:35], values["english_name"][35:46]
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    for name, offset, size in LAYOUTS[flag]:
        encoded = values.get(name, "").encode("utf-16-le")
        if len(encoded) > size:
            raise ValueError(f"{name} {values[name]!r} does not fit in {size} bytes")
        block[offset : offset + len(encoded)] = encoded
    block[FLAG_OFFSET : FLAG_OFFSET + 2] = flag.encode("utf-16-le")
    return bytes(block)


def build_address(text: str) -> bytes:
    """The 70-byte additional-address answer of command 30 03."""
    encoded = text.encode("utf-16-le")
    if len(encoded) > 70:
        raise ValueError("additional address longer than 35 characters")
    return encoded + " ".encode("utf-16-le") * ((70 - len(encoded)) // 2)


def parse_address(data: bytes) -> str:
    return data[:70].decode("utf-16-le", errors="replace").strip(" \0\u3000")
