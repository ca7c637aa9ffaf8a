"""A chip that answers one unexpected status word mid-sequence is a retry, not a reader fault (issue 13)."""

from __future__ import annotations

from collections.abc import Callable

from drivers.chipcard import protocol as P
from drivers.chipcard.service import ChipCardService
from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.error_codes import ChipCardError
from kiosk.terminal.status import DeviceState
from sim.devices.chipcard.card import CardImage
from sim.devices.chipcard.emulator import VirtualCard
from tests.chipcard.conftest import wait_card_state

Insert = Callable[..., VirtualCard]


def without_name(person: str) -> CardImage:
    """zhangsan's card whose EF06 lacks the name record: READ RECORD answers 6A83 mid-sequence."""
    image = CardImage.social_security(person)
    records = image.applications[P.SSSE_AID]
    records[P.EF_PERSONAL] = [(tag, value) for tag, value in records[P.EF_PERSONAL] if tag != P.TAG_NAME]
    return image


async def test_one_bad_answer_keeps_the_reader_online(reader: ChipCardService, insert: Insert, card: VirtualCard) -> None:
    insert(image=without_name("zhangsan"))
    glitch = await reader.read_card()
    assert glitch.code is CompletionCode.HARDWARE_ERROR and glitch.action is RecoveryAction.RETRY, glitch.description
    assert glitch.error_code is ChipCardError.INVALID_DATA and glitch.transient
    assert reader.status().state is DeviceState.ONLINE
    card.remove()
    wait_card_state(False)
    insert("zhangsan")
    good = await reader.read_card()
    assert good.ok and good.data is not None and good.data.name == "张三"
    assert reader.status().state is DeviceState.ONLINE


async def test_no_card_and_a_card_that_is_not_a_social_security_card_have_codes(reader: ChipCardService, insert: Insert,
                                                                              card: VirtualCard) -> None:
    none = await reader.read_card()
    assert none.code is CompletionCode.NO_MEDIA and none.error_code is ChipCardError.NO_MEDIA
    insert(image=CardImage.blank())
    other = await reader.read_card()
    assert other.code is CompletionCode.USER_ERROR and other.error_code is ChipCardError.INVALID_MEDIA
    assert reader.status().state is DeviceState.ONLINE
