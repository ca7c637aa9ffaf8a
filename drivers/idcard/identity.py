"""Code tables and checks that belong to the card holder's data, not to the wire.

Nation codes follow GB/T 3304 (PROTOCOLS.md §1.6): 01–56 the 56 ethnic groups, 97 其他 and
98 外国血统中国籍人士 — 58 entries. The ID number check is kiosk.identity.gb11643 (one for the whole product).
"""

from __future__ import annotations

from kiosk.identity import gb11643

SEX_CODES: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

_NATION_NAMES = [
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎",
    "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬",
    "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴",
    "珞巴", "基诺",
]

NATIONS: dict[str, str] = {f"{i:02d}": name for i, name in enumerate(_NATION_NAMES, start=1)}
NATIONS["97"] = "其他"
NATIONS["98"] = "外国血统中国籍人士"


def id_number_problem(number: str) -> str | None:
    """Why an 18-character ID number is invalid (kiosk.identity.gb11643), or None when it is valid."""
    problem = gb11643.id_number_problem(number)
    return f"ID number: {problem.value}" if problem else None


def sex_text(code: str) -> str:
    return SEX_CODES.get(code, "")


def nation_text(code: str) -> str:
    return NATIONS.get(code, "")
