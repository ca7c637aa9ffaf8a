"""The APDU helpers and the card side, without pcscd: GET RESPONSE / 6Cxx logic and record parsing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from drivers.chipcard import protocol as P
from kiosk.errors import InvalidDataError, ProtocolError
from sim.devices.chipcard.card import CardImage, CardOS


def _card(chunk: int | None = None) -> CardOS:
    return CardOS(CardImage.social_security("zhangsan"), chunk=chunk)


def _transmit(card: CardOS):  # type: ignore[no-untyped-def]
    def send(apdu: bytes) -> tuple[bytes, int]:
        out = card.process(apdu)
        return out[:-2], int.from_bytes(out[-2:], "big")

    return send


def test_select_answers_61xx_and_exchange_fetches_the_fci() -> None:
    card = _card()
    assert card.process(P.select_by_name(P.SSSE_AID)) == b"\x61\x15"
    card.power_on()
    data, sw = P.exchange(_transmit(card), P.select_by_name(P.SSSE_AID))
    assert sw == P.SW_OK and data[0] == 0x6F and P.SSSE_AID in data


def test_wrong_le_gets_6cxx_and_one_resend() -> None:
    card = _card()
    P.exchange(_transmit(card), P.select_by_name(P.SSSE_AID))
    P.exchange(_transmit(card), P.select_ef(P.EF_PERSONAL))
    assert card.process(P.read_record_by_tag(P.TAG_SSN, 0)) == b"\x6c\x14"
    data, sw = P.exchange(_transmit(card), P.read_record_by_tag(P.TAG_SSN, 0))
    assert sw == P.SW_OK and P.parse_record(data, P.TAG_SSN) == b"500112198703152613"


def test_chained_get_response_reassembles() -> None:
    card = _card(chunk=3)
    send = _transmit(card)
    P.exchange(send, P.select_by_name(P.SSSE_AID))
    P.exchange(send, P.select_ef(P.EF_PERSONAL))
    data, sw = P.exchange(send, P.read_record_by_tag(P.TAG_NAME, 0x20))
    assert sw == P.SW_OK and P.decode_text(P.parse_record(data, P.TAG_NAME), "name", "gbk") == "张三"


def test_endless_61xx_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        P.exchange(lambda apdu: (b"x", 0x6101), P.get_response(1))


def test_record_parsing_rejects_wrong_tag_and_length() -> None:
    with pytest.raises(ProtocolError):
        P.parse_record(b"\x08\x05abc", P.TAG_SSN)
    with pytest.raises(ProtocolError):
        P.parse_record(b"\x09\x01a", P.TAG_SSN)


def test_gb11643() -> None:
    P.check_id_number("500112198703152613")
    with pytest.raises(InvalidDataError):
        P.check_id_number("500112198703152612")
    assert P.IdNumberFacts.of("500103199001011232") == P.IdNumberFacts("1990-01-01", "1")


def test_dates() -> None:
    assert P.decode_date(bytes.fromhex("20300601")) == "2030-06-01"
    assert P.decode_date(b"20300601") == "2030-06-01"
    assert P.decode_date(b"\xff\xff\xff\xff") == ""


def test_missing_pyscard_gives_an_unavailable_device_not_a_crash() -> None:
    script = (
        "import sys; sys.modules['smartcard'] = None\n"
        "from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device\n"
        "from kiosk.terminal.events import EventBus\n"
        "from kiosk.terminal.status import DeviceClass\n"
        "d = build_device(DeviceSpec('chipcard', DeviceClass.CHIP_CARD_READER, DeviceUrl.parse('pcsc:')), EventBus())\n"
        "print(type(d).__name__, d.status().state.value, d.reason)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("UnavailableDevice no_device") and "smartcard" in out.stdout
