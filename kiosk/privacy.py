"""Masking of personal data: ID numbers, names, phone and bank account numbers.

Patterns catch ID and phone numbers wherever they appear. Names cannot be found by a pattern,
so the session registers the names it reads (``SensitiveValues``) and every log line is scrubbed
of them until the session ends; key-based masking covers structured fields named like names.
"""

from __future__ import annotations

import re
import threading

# 18-digit resident IDs (birth year 18xx-20xx, last char may be X) and 15-digit legacy IDs (YYMMDD
# birth date); never inside longer digit runs, so case numbers and timestamps are left alone.
ID_NUMBER_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
    r"|\d{6}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])"
)
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
# Bearer values that name a person or a session to the platform: person tokens (pt_…), handover ids (ho_…), and any
# ``token=``/``Bearer`` value. A token is as good as the person's identity while it lives: never in a log line.
TOKEN_RE = re.compile(r"\b(?:pt|ho)_[A-Za-z0-9_-]{8,}|(?<=token=)[^&\s\"']{8,}|(?<=Bearer )[A-Za-z0-9._~+/=-]{8,}")
NAME_KEYS = frozenset({"name", "applicant", "applicant_name", "principal_name", "agent_name", "holder", "姓名", "english_name"})
TOKEN_KEYS = frozenset({"person_token", "token", "access_token", "handover_id"})
ID_KEYS = frozenset({"id_number", "social_security_number", "id_no", "idcard", "证件号码"})
BANK_KEYS = frozenset({"bank_account", "account_no", "bank_card", "银行账号"})


def mask_id_number(value: str) -> str:
    """``500112198703152620`` → ``5001**********2620`` (first 4 and last 4 kept)."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


def mask_bank_account(value: str) -> str:
    """``6222020200112345678`` → ``6222***********5678``: first 4 and last 4 digits kept (a financial
    account is sensitive personal information under the PIPL, shown and logged like an ID number)."""
    digits = value.replace(" ", "")
    return mask_id_number(digits)


def mask_token(value: str) -> str:
    """``pt_AbCd…`` → ``pt_***``: the kind stays readable for a technician, the value is gone."""
    return value[:3] + "***" if value[2:3] == "_" else "***"


def mask_name(value: str) -> str:
    """``张三丰`` → ``张**``; Latin names keep their first letter."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_text(text: str, names: frozenset[str] = frozenset()) -> str:
    """Mask every ID number, phone number, person token and known name in free text."""
    text = TOKEN_RE.sub(lambda m: mask_token(m.group(0)), text)
    text = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    text = PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)
    for name in sorted(names, key=len, reverse=True):
        if name and name in text:
            text = text.replace(name, mask_name(name))
    return text


def mask_value(key: str, value: object, names: frozenset[str] = frozenset()) -> object:
    """Mask one structured field by its key, then by content; recurses into dicts and lists."""
    if isinstance(value, dict):
        return {k: mask_value(str(k), v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(key, v, names) for v in value]
    if isinstance(value, str):
        lowered = key.lower()
        if lowered in NAME_KEYS:
            return mask_name(value)
        if lowered in ID_KEYS:
            return mask_id_number(value)
        if lowered in BANK_KEYS:
            return mask_bank_account(value)
        if lowered in TOKEN_KEYS:
            return mask_token(value)
        return mask_text(value, names)
    return value


class SensitiveValues:
    """Names (and other free-form PII) that the current session has seen; wiped at session end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()

    def add(self, *values: str) -> None:
        with self._lock:
            self._values = self._values | {v for v in values if v and len(v) >= 2}

    def clear(self) -> None:
        with self._lock:
            self._values = frozenset()

    def snapshot(self) -> frozenset[str]:
        return self._values

