"""The 社保卡 reader (PC/SC, vpcd emulator) as an XFS4IoT CardReader: the card on the reader is read, masked."""

from __future__ import annotations

import base64
import json

import pytest

from tests.xfs.conftest import CONFIG, Client

CHIP_CONFIG = CONFIG.split("[devices.")[0] + """
[devices.chipcard]
url = "sim:chipcard?person=zhangsan"
timeout_s = 5
"""


@pytest.fixture
def terminal_config() -> str:
    return CHIP_CONFIG


async def test_chip_card_reader_reads_the_card_masked(open_client, terminal) -> None:
    client: Client = await open_client("chipcard")
    status = (await client.call("Common.Status", 1))[-1]["payload"]
    assert status["common"]["device"] == "online" and "cardReader" in status
    caps = (await client.call("Common.Capabilities", 2))[-1]["payload"]["cardReader"]
    assert caps["type"] == "dip" and caps["chipProtocols"]["chipT1"] is True
    done = (await client.call("CardReader.ReadRawData", 3, {"chip": True}, timeout_ms=10_000))[-1]
    assert done["header"]["completionCode"] == "success", done
    card = json.loads(base64.b64decode(done["payload"]["chip"][0]["data"]))
    assert card["cardType"] == "SocialSecurityCard"
    assert "*" in card["name"] and all("*" in v for k, v in card.items() if k in ("id_number", "social_security_number"))
