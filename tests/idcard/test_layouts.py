"""Check digit, code tables and the three text-block layouts (blocks built by hand, by offset)."""

from __future__ import annotations

import pytest

from drivers.idcard.identity import NATIONS, SEX_CODES, id_number_problem
from drivers.idcard.layouts import build_text, parse_card
from kiosk.errors import InvalidDataError
from sim.devices.idcard.emulator import load_cards


def block(fields: dict[int, str], flag: str = " ") -> bytes:
    """A 256-byte UCS-2LE block written at raw offsets, independent of the driver's tables."""
    raw = bytearray(" ".encode("utf-16-le") * 128)
    for offset, text in fields.items():
        data = text.encode("utf-16-le")
        raw[offset : offset + len(data)] = data
    raw[248:250] = flag.encode("utf-16-le")
    return bytes(raw)


RESIDENT = {0: "张三", 30: "1", 32: "01", 36: "19870315", 52: "重庆市渝北区龙溪街道金龙路88号", 122: "500112198703152613",
            158: "重庆市公安局渝北区分局", 188: "20160520", 204: "20360520"}


@pytest.mark.parametrize("number,ok", [
    ("500112198703152613", True), ("11010519491231002X", True), ("500112198703152620", False),
    ("50011219870315261", False), ("5001121987031526AX", False),
])
def test_check_digit(number: str, ok: bool) -> None:
    assert (id_number_problem(number) is None) is ok


def test_nation_table() -> None:
    assert len(NATIONS) == 58
    assert (NATIONS["01"], NATIONS["02"], NATIONS["15"], NATIONS["56"]) == ("汉", "蒙古", "土家", "基诺")
    assert (NATIONS["97"], NATIONS["98"]) == ("其他", "外国血统中国籍人士")
    assert "00" not in NATIONS and "57" not in NATIONS
    assert SEX_CODES == {"0": "未知", "1": "男", "2": "女", "9": "未说明"}


def test_resident_layout() -> None:
    card = parse_card(block(RESIDENT), photo_wlt=b"WL" + bytes(1022))
    assert card.to_json_dict() | {"photo": None} == {
        "card_type": "resident", "name": "张三", "sex": "男", "sex_code": "1", "nation": "汉", "nation_code": "01",
        "birth_date": "1987-03-15", "address": "重庆市渝北区龙溪街道金龙路88号", "id_number": "500112198703152613",
        "issuer": "重庆市公安局渝北区分局", "valid_from": "2016-05-20", "valid_to": "2036-05-20", "photo": None,
    }
    assert card.photo_wlt.startswith(b"WL") and card.photo_jpeg is None
    assert "张三" not in repr(card) and "500112198703152613" not in repr(card)


def test_long_term_validity() -> None:
    card = parse_card(block({**RESIDENT, 204: "长期"}))
    assert card.valid_to == "长期"


def test_hmt_permit_layout() -> None:
    fields = {**RESIDENT, 32: "  ", 122: "810000199001010019", 220: "H60123456", 238: "01"}
    card = parse_card(block(fields, "J"))
    assert (card.card_type, card.pass_number, card.issue_count, card.nation, card.nation_code) == ("hmt_permit", "H60123456", "01", "", "")
    assert card.to_json_dict()["pass_number"] == "H60123456"


def test_foreign_permanent_old_layout() -> None:
    fields = {0: "SMITH, JOHN", 120: "1", 122: "USA500085031223", 152: "USA", 158: "约翰·史密斯", 188: "20180401",
              204: "20280401", 220: "19850312", 236: "04", 240: "5000"}
    card = parse_card(block(fields, "I"))
    assert (card.card_type, card.name, card.english_name, card.id_number) == ("foreign_permanent", "约翰·史密斯", "SMITH, JOHN", "USA500085031223")
    assert (card.nationality_code, card.birth_date, card.sex, card.issuer) == ("USA", "1985-03-12", "男", "5000")


def test_foreign_permanent_2023_layout() -> None:
    fields = {0: "杜邦玛丽", 30: "2", 32: "00", 36: "19880521", 52: "DUPONT, MARIE", 122: "925025198805210027",
              158: "国家移民管理局", 188: "20231201", 204: "20331201", 242: "FRA"}
    card = parse_card(block(fields, "Y"))
    assert (card.card_type, card.name, card.sex, card.english_name, card.nationality_code) == ("foreign_permanent", "杜邦玛丽", "女", "DUPONT, MARIE", "FRA")


def test_bad_check_digit_is_invalid_data() -> None:
    with pytest.raises(InvalidDataError, match="check digit"):
        parse_card(block({**RESIDENT, 122: "500112198703152620"}))


@pytest.mark.parametrize("offset,value", [(36, "19871315"), (188, "abcdefgh"), (32, "57")])
def test_bad_dates_and_codes_are_invalid_data(offset: int, value: str) -> None:
    with pytest.raises(InvalidDataError):
        parse_card(block({**RESIDENT, offset: value}))


def test_emulator_cards_round_trip_through_the_builder() -> None:
    cards = load_cards()
    for card_id in ("zhangsan", "lixiuying", "chenjiaming", "smith", "dupont"):
        parsed = parse_card(build_text(cards[card_id]))
        assert parsed.id_number == cards[card_id]["id_number"]
        assert parsed.valid_to == cards[card_id]["valid_to"]
    assert build_text(cards["zhangsan"]) == block(RESIDENT | {52: cards["zhangsan"]["address"]})
