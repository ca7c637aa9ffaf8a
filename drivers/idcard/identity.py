"""Code tables and checks that belong to the card holder's data, not to the wire.

Nation codes follow GB/T 3304 (PROTOCOLS.md §1.6): 01–56 the 56 ethnic groups, 97 其他 and
98 外国血统中国籍人士 — 58 entries. The ID number check digit is GB 11643 / ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import re

SEX_CODES: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

_NATION_NAMES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()

NATIONS: dict[str, str] = {f"{i:02d}": name for i, name in enumerate(_NATION_NAMES, start=1)}
NATIONS["97"] = "其他"
NATIONS["98"] = "外国血统中国籍人士"

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK_CHARS = "10X98765432"
_ID18_RE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """The 18th character for 17 digits (ISO 7064 MOD 11-2 as used by GB 11643)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def id_number_problem(number: str) -> str | None:
    """Why an 18-character ID number is invalid, or None when its form and check digit are right."""
    if not _ID18_RE.match(number):
        return "ID number is not 17 digits plus a digit or X"
    expected = check_digit(number[:17])
    if number[17] != expected:
        return "ID number check digit is wrong"
    return None


def sex_text(code: str) -> str:
    return SEX_CODES.get(code, "")


def nation_text(code: str) -> str:
    return NATIONS.get(code, "")
