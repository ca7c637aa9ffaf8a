"""The card side of our emulator: a 社保卡 (or technician card) file system and its APDU handler.

It answers the commands the facts describe — SELECT by name, SELECT EF, READ RECORD by number
(P2=04) or by tag (P2=00), GET RESPONSE — with ISO 7816-4 status words. Like many T=0 cards it
reports a wrong Le with 6Cxx and hands the FCI (and, with ``chunk``, every answer) out through
61xx, so the driver's GET RESPONSE and re-send paths run on every read. No socket here:
``emulator.py`` carries the APDUs over vpcd's protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.chipcard.protocol import (
    EF_CARD_BASIC,
    EF_PERSONAL,
    EF_TECHNICIAN,
    SSSE_AID,
    TAG_CARD_NUMBER,
    TAG_CARD_TYPE,
    TAG_IDENT_CODE,
    TAG_ISSUE_DATE,
    TAG_ISSUER_ORG,
    TAG_NAME,
    TAG_NATION,
    TAG_SSN,
    TAG_TECH_ID,
    TAG_TECH_NAME,
    TAG_VALID_TO,
    TAG_VERSION,
    TECH_AID,
    encode_record,
)

SW_OK = b"\x90\x00"


@dataclass(frozen=True)
class Person:
    """A demo card holder. ``ssn`` is a valid GB 11643 number (check digit right)."""

    key: str
    name: str
    ssn: str
    card_number: str
    region_code: str = "500112"
    nation_code: str = "01"
    card_version: str = "3.00"
    issuer_org: str = "50011200000"
    issue_date: str = "20200601"
    valid_to: str = "20300601"


@dataclass(frozen=True)
class Technician:
    key: str
    technician_id: str
    name: str


#: The platform emulator's seed persons (sim/sim/platform/seed/persons.json): same key, name,
#: ID number and 社保卡 number. Nation codes per GB 3304 ("" = the card has no nation record).
PERSONS: dict[str, Person] = {
    p.key: p
    for p in (
        Person("zhangsan", "张三", "500112198703152613", "C50011201"),
        Person("lisi", "李四", "500103199001011232", "C50010302", region_code="500103"),
        Person("wangfang", "王芳", "500106199205112843", "C34567890", region_code="500106", nation_code="15"),
        Person("wangwu", "王五", "500233196508084510", "C50023303", region_code="500233", nation_code="05"),
        Person("zhangxiaoyu", "张小雨", "500112201506094420", "E56789012", issue_date="20210901", valid_to="20310901"),
        Person("liumei", "刘梅", "500105198802140024", "F67890123", region_code="500105"),
        Person("lixiuying", "李秀英", "500240194506083025", "C50024007", region_code="500240", nation_code="15"),
        Person("chenjiaming", "陈家明", "810000199001010019", "C50010308", region_code="500103", nation_code=""),
    )
}
TECHNICIANS: dict[str, Technician] = {t.key: t for t in (Technician("tech01", "JX500112001", "维护员甲"),)}

Records = list[tuple[int, bytes]]  # (tag, value) in record-number order


def _bcd(digits: str) -> bytes:
    return bytes.fromhex(digits)


def _gbk(text: str, size: int) -> bytes:
    return text.encode("gbk").ljust(size, b"\x00")


def ssse_records(person: Person) -> dict[int, Records]:
    """EF05 (card basic) and EF06 (personal) records of a 社保卡 for ``person``."""
    ident = (person.region_code + "D156000005" + "00").encode("ascii")[:16]
    return {
        EF_CARD_BASIC: [
            (TAG_IDENT_CODE, ident),
            (TAG_CARD_TYPE, b"1"),
            (TAG_VERSION, person.card_version.encode("ascii")),
            (TAG_ISSUER_ORG, person.issuer_org.encode("ascii")),
            (TAG_ISSUE_DATE, _bcd(person.issue_date)),
            (TAG_VALID_TO, _bcd(person.valid_to)),
            (TAG_CARD_NUMBER, person.card_number.encode("ascii")),
        ],
        EF_PERSONAL: [
            (TAG_SSN, person.ssn.encode("ascii")),
            (TAG_NAME, _gbk(person.name, 30)),
        ]
        + ([(TAG_NATION, _bcd(person.nation_code))] if person.nation_code else []),
    }


@dataclass
class CardImage:
    """One card: its applications by AID, each a dict of EFs holding records."""

    label: str
    applications: dict[bytes, dict[int, Records]] = field(default_factory=dict)

    @classmethod
    def social_security(cls, person: Person | str) -> CardImage:
        p = PERSONS[person] if isinstance(person, str) else person
        return cls(f"ssse:{p.key}", {SSSE_AID: ssse_records(p)})

    @classmethod
    def technician(cls, tech: Technician | str) -> CardImage:
        t = TECHNICIANS[tech] if isinstance(tech, str) else tech
        records = [(TAG_TECH_ID, t.technician_id.encode("ascii")), (TAG_TECH_NAME, _gbk(t.name, 30))]
        return cls(f"technician:{t.key}", {TECH_AID: {EF_TECHNICIAN: records}})

    @classmethod
    def blank(cls) -> CardImage:
        """A card with no application we know (a bank card, say)."""
        return cls("blank")


def _sw(code: int) -> bytes:
    return bytes([code >> 8, code & 0xFF])


class CardOS:
    """Processes C-APDUs against a ``CardImage``. ``chunk``: deliver answers in 61xx pieces."""

    def __init__(self, image: CardImage, *, chunk: int | None = None) -> None:
        self.image = image
        self.chunk = chunk
        self.apdu_log: list[bytes] = []  # what the driver sent, for tests and the developer panel
        self.power_on()

    def power_on(self) -> None:
        self._app: dict[int, Records] | None = None
        self._ef: Records | None = None
        self._pending = b""

    def process(self, apdu: bytes) -> bytes:
        self.apdu_log.append(apdu)
        if len(apdu) < 4:
            return _sw(0x6700)
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        lc_data, le = self._split_body(body)
        if lc_data is None:
            return _sw(0x6700)
        if cla != 0x00:
            return _sw(0x6E00)
        if ins != 0xC0:
            self._pending = b""
        if ins == 0xA4:
            return self._select(p1, p2, lc_data)
        if ins == 0xB2:
            return self._read_record(p1, p2, le)
        if ins == 0xC0:
            return self._get_response(le)
        if ins == 0xB0:
            return _sw(0x6981)  # READ BINARY on a record file: incompatible with file structure
        return _sw(0x6D00)

    @staticmethod
    def _split_body(body: bytes) -> tuple[bytes | None, int | None]:
        """ISO short APDU cases 1–4 → (command data, Le); Le 0 means 256."""
        if not body:
            return b"", None
        if len(body) == 1:
            return b"", body[0] or 256
        lc = body[0]
        if len(body) == 1 + lc:
            return body[1:], None
        if len(body) == 2 + lc:
            return body[1 : 1 + lc], body[-1] or 256
        return None, None

    def _answer(self, data: bytes) -> bytes:
        if self.chunk and len(data) > 0:
            self._pending = data
            return _sw(0x6100 | min(len(data), 0xFF))
        return data + SW_OK

    def _select(self, p1: int, p2: int, data: bytes) -> bytes:
        if p1 == 0x04:
            app = self.image.applications.get(data)
            if app is None:
                return _sw(0x6A82)
            self._app, self._ef = app, None
            if p2 == 0x0C:
                return SW_OK
            fci = b"\x6f" + bytes([len(data) + 4]) + b"\x84" + bytes([len(data)]) + data + b"\xa5\x00"
            self._pending = fci  # the FCI only ever comes through GET RESPONSE, as on T=0 cards
            return _sw(0x6100 | len(fci))
        if p1 in (0x00, 0x02) and len(data) == 2:
            if self._app is None:
                return _sw(0x6A82)
            ef = self._app.get(int.from_bytes(data, "big"))
            if ef is None:
                return _sw(0x6A82)
            self._ef = ef
            return SW_OK
        return _sw(0x6A86)

    def _read_record(self, p1: int, p2: int, le: int | None) -> bytes:
        if self._ef is None:
            return _sw(0x6986)
        if p2 == 0x04:
            found = self._ef[p1 - 1] if 1 <= p1 <= len(self._ef) else None
        elif p2 == 0x00:
            found = next((r for r in self._ef if r[0] == p1), None)
        else:
            return _sw(0x6A86)
        if found is None:
            return _sw(0x6A83)
        record = encode_record(*found)
        if le is None:
            return _sw(0x6700)
        if le != len(record):
            return _sw(0x6C00 | len(record))
        return self._answer(record)

    def _get_response(self, le: int | None) -> bytes:
        if not self._pending:
            return _sw(0x6985)
        size = min(le or 256, self.chunk or 256, len(self._pending))
        out, self._pending = self._pending[:size], self._pending[size:]
        if self._pending:
            return out + _sw(0x6100 | min(len(self._pending), 0xFF))
        return out + SW_OK
