"""The read sequences: which APDUs, in which order, and how the records become a SocialSecurityCard.

Transport-free (a ``transmit(apdu) -> (data, sw)`` callable), so the same code runs against pcscd
and in unit tests. The token is checked between APDUs so a cancel or timeout stops the read
between two exchanges, never in the middle of one.
"""

from __future__ import annotations

from drivers.chipcard import protocol as P
from kiosk.errors import ProtocolError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.media import SocialSecurityCard


class _Reader:
    def __init__(self, transmit: P.Transmit, token: CancelToken) -> None:
        self.transmit = transmit
        self.token = token

    def command(self, apdu: bytes, what: str) -> bytes:
        self.token.check()
        data, sw = P.exchange(self.transmit, apdu)
        if sw != P.SW_OK:
            raise ProtocolError(f"{what}: card answered {sw:04X}")
        return data

    def select_app(self, aid: bytes, card: str) -> None:
        self.token.check()
        _, sw = P.exchange(self.transmit, P.select_by_name(aid))
        if sw == P.SW_FILE_NOT_FOUND:
            raise P.WrongCard(f"the card has no {card} application (SELECT {aid.hex().upper()} → 6A82)", card="other")
        if sw != P.SW_OK:
            raise ProtocolError(f"select {card} application: card answered {sw:04X}")

    def select_ef(self, fid: int) -> None:
        self.command(P.select_ef(fid), f"select EF {fid:04X}")

    def record(self, tag: int, le: int = 0, *, by_number: bool = False) -> bytes:
        apdu = P.read_record_by_number(tag, le) if by_number else P.read_record_by_tag(tag, le)
        return P.parse_record(self.command(apdu, f"read record {tag:02X}"), tag)

    def optional_record(self, tag: int) -> bytes | None:
        """A record not every card issuer writes: 6A83 (record not found) → None."""
        self.token.check()
        data, sw = P.exchange(self.transmit, P.read_record_by_tag(tag, 0))
        if sw == P.SW_RECORD_NOT_FOUND:
            return None
        if sw != P.SW_OK:
            raise ProtocolError(f"read record {tag:02X}: card answered {sw:04X}")
        return P.parse_record(data, tag)


def read_social_security_card(transmit: P.Transmit, token: CancelToken, *, reader: str = "") -> SocialSecurityCard:
    """SELECT SSSE → EF05 records 01–07 → EF06 records 08, 09 (+ 0B nation if present)."""
    r = _Reader(transmit, token)
    r.select_app(P.SSSE_AID, "社保卡 (SSSE)")
    r.select_ef(P.EF_CARD_BASIC)
    ident = P.decode_text(r.record(P.TAG_IDENT_CODE, by_number=True), "card identification code")
    version = P.decode_text(r.record(P.TAG_VERSION, by_number=True), "card version")
    issue_date = P.decode_date(r.record(P.TAG_ISSUE_DATE, by_number=True))
    valid_to = P.decode_date(r.record(P.TAG_VALID_TO, by_number=True))
    card_number = P.decode_text(r.record(P.TAG_CARD_NUMBER, 0x0B, by_number=True), "card number")
    r.select_ef(P.EF_PERSONAL)
    ssn = P.decode_text(r.record(P.TAG_SSN, 0x14), "social security number").upper()
    name = P.decode_text(r.record(P.TAG_NAME, 0x20), "name", "gbk")
    nation = r.optional_record(P.TAG_NATION)
    P.check_id_number(ssn)
    if not card_number:
        raise ProtocolError("card number record is empty")
    facts = P.IdNumberFacts.of(ssn)
    return SocialSecurityCard(
        card_number=card_number,
        social_security_number=ssn,
        name=name,
        sex_code=facts.sex_code,
        nation_code=P.decode_bcd(nation) if nation else "",
        birth_date=facts.birth_date,
        region_code=ident[:6],
        card_version=version,
        issue_date=issue_date,
        valid_to=valid_to,
        reader=reader,
    )


def read_technician(transmit: P.Transmit, token: CancelToken) -> str:
    """SELECT our technician application → EF01 record 01: the technician id."""
    r = _Reader(transmit, token)
    r.select_app(P.TECH_AID, "technician")
    r.select_ef(P.EF_TECHNICIAN)
    technician_id = P.decode_text(r.record(P.TAG_TECH_ID, by_number=True), "technician id")
    if not technician_id:
        raise ProtocolError("technician id record is empty")
    return technician_id
