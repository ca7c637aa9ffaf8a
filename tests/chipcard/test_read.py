"""Reading 社保卡 through a real pcscd + vpcd and our virtual card."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import pytest

from drivers.chipcard.service import ChipCardService
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.status import DeviceState
from sim.devices.chipcard.card import PERSONS, CardImage
from sim.devices.chipcard.emulator import VirtualCard
from tests.chipcard.conftest import READER

Insert = Callable[..., VirtualCard]


async def test_lists_both_vpcd_readers(reader: ChipCardService) -> None:
    result = await reader.list_readers()
    assert result.ok
    assert result.data == ["Virtual PCD 00 00", "Virtual PCD 00 01"]


async def test_reads_every_field_of_zhangsans_card(reader: ChipCardService, insert: Insert) -> None:
    card = insert("zhangsan")
    result = await reader.read_card()
    assert result.ok, result.description
    assert result.data is not None
    assert result.data.to_json_dict() == {
        "card_number": "C50011201",
        "social_security_number": "500112198703152613",
        "name": "张三",
        "sex_code": "1",
        "nation_code": "01",
        "birth_date": "1987-03-15",
        "region_code": "500112",
        "card_version": "3.00",
        "issue_date": "2020-06-01",
        "valid_to": "2030-06-01",
        "reader": READER,
    }
    assert "张三" not in repr(result.data) and "500112198703152613" not in repr(result.data)
    sent = [apdu.hex().upper() for apdu in card.card.apdu_log]  # type: ignore[union-attr]
    assert sent[0] == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"  # SELECT SSSE by name, as in the facts
    assert "00C0000015" in sent  # the FCI came through GET RESPONSE (61 15)
    assert "00B207040B" in sent and "00B2080014" in sent and "00B2090020" in sent
    assert reader.status().state is DeviceState.ONLINE


@pytest.mark.parametrize(("key", "sex_code"), [("wangfang", "2"), ("wangwu", "1"), ("chenjiaming", "1")])
async def test_reads_the_other_demo_persons(reader: ChipCardService, insert: Insert, key: str, sex_code: str) -> None:
    insert(key)
    result = await reader.read_card()
    assert result.ok, result.description
    person = PERSONS[key]
    assert (result.data.name, result.data.social_security_number, result.data.card_number) == (person.name, person.ssn, person.card_number)  # type: ignore[union-attr]
    assert result.data.nation_code == person.nation_code  # type: ignore[union-attr]  # "" for chenjiaming: no record 0B
    assert result.data.sex_code == sex_code  # type: ignore[union-attr]


async def test_chained_get_response_and_wrong_le_resend(reader: ChipCardService, card: VirtualCard, insert: Insert) -> None:
    card.chunk = 5  # every answer in 61xx pieces of ≤ 5 bytes
    insert("zhangsan")
    result = await reader.read_card()
    assert result.ok, result.description
    assert result.data.name == "张三"  # type: ignore[union-attr]  # 32-byte record reassembled from 7 pieces
    sent = [apdu.hex().upper() for apdu in card.card.apdu_log]  # type: ignore[union-attr]
    assert sum(apdu.startswith("00C00000") for apdu in sent) > 20
    # records without a known length go out with Le=00 and come back 6Cxx: re-sent with the right Le
    assert "00B2010400" in sent and "00B2010412" in sent


async def test_no_card_is_no_media(reader: ChipCardService) -> None:
    result = await reader.read_card()
    assert result.code is CompletionCode.NO_MEDIA
    assert reader.status().state is DeviceState.ONLINE


async def test_technician_card(reader: ChipCardService, insert: Insert) -> None:
    insert(None, technician="tech01")
    tech = await reader.read_technician_id()
    assert tech.ok and tech.data == "JX500112001"
    as_ssc = await reader.read_card()
    assert as_ssc.code is CompletionCode.USER_ERROR
    assert "6A82" in as_ssc.description


async def test_blank_card_is_user_error(reader: ChipCardService, insert: Insert) -> None:
    insert(None, image=CardImage.blank())
    result = await reader.read_card()
    assert result.code is CompletionCode.USER_ERROR


async def test_bad_check_digit_is_invalid_data(reader: ChipCardService, insert: Insert) -> None:
    forged = replace(PERSONS["zhangsan"], ssn="500112198703152612")  # right is …2613
    insert(None, image=CardImage.social_security(forged))
    result = await reader.read_card()
    assert result.code is CompletionCode.INVALID_DATA
    assert "check digit" in result.description


async def test_unknown_reader_is_device_not_ready(pcscd: object, bus: object) -> None:
    service = ChipCardService("chipcard", bus, reader="No Such Reader", default_timeout=3.0, monitor=False)  # type: ignore[arg-type]
    opened = await service.open()
    assert opened.code is CompletionCode.DEVICE_NOT_READY
    assert service.status().state is DeviceState.NO_DEVICE
    await service.close()


async def test_card_lifted_mid_read_is_no_media(reader: ChipCardService, card: VirtualCard, insert: Insert) -> None:
    insert("zhangsan")
    card.lift_after = 4  # the 5th APDU never gets an answer: the card is gone
    result = await reader.read_card()
    assert result.code is CompletionCode.NO_MEDIA, result.description
    assert reader.status().state is DeviceState.ONLINE
    insert("zhangsan")
    assert (await reader.read_card()).ok
