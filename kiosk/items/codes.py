"""Structure of item codes, as far as public sources show the national form.

GB/T 39554.1-2020 (全国一体化政务服务平台 政务服务事项基本目录及实施清单 第1部分：编码要求) sets
the rules; its text was not available to us, so this checks only the structure the national
platform's published codes show (ITEMS-REFERENCE §0.2, [S35]): 个体工商户登记注册 has 基本编码
``000131128000`` and its 业务办理项 设立/变更/注销 are that code plus ``01``/``02``/``03``.

    基本编码       12 digits = 9-digit 主项 segment + 3-digit 子项 segment (``000``: no 子项)
    业务办理项编码  基本编码 + 2-digit 办理项 sequence, 01–99

The 主项/子项 split is an inference from the ``000`` ending of an item without 子项 (tagged T in
the reference). 实施编码 is stored verbatim: Chongqing's format is not public.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BASIC = re.compile(r"^(?P<main>[0-9]{9})(?P<sub>[0-9]{3})$")
_HANDLING = re.compile(r"^(?P<basic>[0-9]{12})(?P<seq>[0-9]{2})$")


@dataclass(frozen=True)
class ItemCode:
    main: str  # 9-digit 主项 segment
    sub: str  # 3-digit 子项 segment, "000" when the item has none
    seq: str  # 2-digit 业务办理项 sequence

    @property
    def basic(self) -> str:
        return self.main + self.sub

    @property
    def handling(self) -> str:
        return self.basic + self.seq


def parse(code: str, basic_code: str) -> tuple[ItemCode | None, list[tuple[str, str]]]:
    """The parsed code, or None, with (rule, message) for every structural fault."""
    faults: list[tuple[str, str]] = []
    basic = _BASIC.match(basic_code)
    handling = _HANDLING.match(code)
    if basic is None:
        faults.append(("code_structure", f"basic_code {basic_code!r} is not 12 digits (9-digit 主项 + 3-digit 子项)"))
    if handling is None:
        faults.append(("code_structure", f"code {code!r} is not 14 digits (基本编码 + 2-digit 业务办理项)"))
    if basic is None or handling is None:
        return None, faults
    if handling["basic"] != basic_code:
        faults.append(("code_structure", f"code {code} does not start with its basic_code {basic_code}"))
    if handling["seq"] == "00":
        faults.append(("code_structure", "业务办理项 sequence 00 is not allowed (01–99)"))
    if basic["main"] == "000000000":
        faults.append(("code_structure", "主项 segment 000000000 is not a code"))
    if faults:
        return None, faults
    return ItemCode(basic["main"], basic["sub"], handling["seq"]), faults
