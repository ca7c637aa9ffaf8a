"""Field validation for the form step: ID numbers (GB 11643 check digit), phones, dates, addresses.

Why here and not in the UI: the headless driver and the touch screen must reject the same input
with the same plain-Chinese message, and the engine re-validates everything before submitting.
"""

from __future__ import annotations

import datetime as dt
import re

from kiosk.identity.gb11643 import IdNumberProblem, id_number_problem
from kiosk.items.model import FormField

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ADDRESS_HINT = re.compile(r"(省|市|区|县|镇|乡|街道|路|街|巷|村|号|组|社区)")


_ID_NUMBER_MESSAGES = {
    IdNumberProblem.FORM: "身份证号码应为18位，最后一位可以是数字或X",
    IdNumberProblem.BIRTH_DATE: "身份证号码中的出生日期不正确",
    IdNumberProblem.CHECK_DIGIT: "身份证号码校验位不正确，请核对后重新输入",
}


def id_number_error(value: str, today: dt.date | None = None) -> str:
    """'' when ``value`` is a valid 18-digit citizen ID number (kiosk.identity.gb11643), else why not (plain Chinese)."""
    problem = id_number_problem(value.strip().upper(), today)
    return _ID_NUMBER_MESSAGES[problem] if problem else ""


def parse_date(value: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def field_error(spec: FormField, value: str, required: bool, today: dt.date | None = None) -> str:
    """Validate one value against its field spec; '' means fine."""
    value = (value or "").strip()
    today = today or dt.date.today()
    if not value:
        return f"请填写{spec.label}" if required else ""
    kind = spec.type
    if kind == "id_number":
        error = id_number_error(value, today)
        if error:
            return error
    elif kind == "phone" and not _PHONE.match(value):
        return "请输入11位手机号码"
    elif kind == "date":
        day = parse_date(value)
        if day is None:
            return "日期格式应为 年-月-日，例如 2024-05-01"
        if spec.not_future and day > today:
            return f"{spec.label}不能晚于今天"
    elif kind == "address":
        if len(value) < 6 or not _ADDRESS_HINT.search(value):
            return "请填写详细地址（区县、街道、门牌号）"
    elif kind in ("number", "money"):
        try:
            number = float(value)
        except ValueError:
            return f"{spec.label}应为数字"
        if spec.min is not None and number < spec.min:
            return f"{spec.label}不能小于{spec.min:g}"
        if spec.max is not None and number > spec.max:
            return f"{spec.label}不能大于{spec.max:g}"
    elif kind == "bank_account" and not re.fullmatch(r"\d{12,19}", value):
        return "银行账号应为12到19位数字"
    elif kind == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        return "电子邮箱格式不正确"
    elif kind in ("select", "district") and spec.options and value not in {o.value for o in spec.options}:
        return f"请从列表中选择{spec.label}"
    elif kind == "multiselect" and spec.options:
        allowed = {o.value for o in spec.options}
        if any(v not in allowed for v in value.split(",")):
            return f"请从列表中选择{spec.label}"
    if spec.min_length is not None and len(value) < spec.min_length:
        return f"{spec.label}至少{spec.min_length}个字"
    if spec.max_length is not None and len(value) > spec.max_length:
        return f"{spec.label}最多{spec.max_length}个字"
    if spec.pattern and kind not in ("id_number",) and not re.fullmatch(spec.pattern, value):
        return f"{spec.label}格式不正确"
    return ""
