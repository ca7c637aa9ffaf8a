"""Shared fixtures: a running TCP 9100 emulator and typed receipt inputs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest

from kiosk.receipts import AcceptanceReceipt, MaterialProblem, MaterialReceived, NoticeOfMissing
from sim.devices.printer.emulator import PrinterEmulator

CASE_URL = "https://zwykb.cq.gov.cn/progress/CQ2026112600000123"


@pytest.fixture
def emulator() -> Iterator[PrinterEmulator]:
    emu = PrinterEmulator("127.0.0.1", 0).start()
    yield emu
    emu.stop()


@pytest.fixture
def acceptance() -> AcceptanceReceipt:
    return AcceptanceReceipt(
        case_number="CQ2026112600000123",
        item_name="居民身份证换领（有效期满换证）",
        applicant_name="张三丰",
        applicant_id_number="500112198703152620",
        accepted_at=datetime(2026, 11, 26, 14, 5, 9),
        terminal_id="CQ-500112-0001",
        hall="渝北区政务服务中心",
        progress_url=CASE_URL,
        delivery="邮寄：渝北区龙溪街道新南路1号，电话13812345678",
        materials=(MaterialReceived("居民身份证", 1, "电子证照"), MaterialReceived("户口簿首页及本人页", 2, "高拍件"),
                   MaterialReceived("近期免冠彩色照片 (2 inch)", 1, "原件")),
        fee=Decimal("12.50"),
        time_limit="20个工作日",
        department="渝北区公安分局",
    )


@pytest.fixture
def notice() -> NoticeOfMissing:
    return NoticeOfMissing(
        reference="YS2026112600000045",
        item_name="城乡居民基本养老保险参保登记",
        applicant_name="李四",
        issued_at=datetime(2026, 11, 26, 15, 0),
        hall="渝北区政务服务中心",
        terminal_id="CQ-500112-0001",
        problems=(
            MaterialProblem("户口簿", "缺少", "提供户口簿首页及本人页", "《重庆市城乡居民基本养老保险办法》第十条"),
            MaterialProblem("居民身份证", "不符合要求：证件已过期", "身份证须在有效期内", "《居民身份证法》第十一条"),
        ),
    )
