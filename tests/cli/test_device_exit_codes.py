"""One exit-code table for every device command: each completion code has its own number, the docs list the same."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.cli.device_exit import EXIT_CODES, EXIT_DEVICE_CONFIG, exit_code
from kiosk.errors import EXIT_CONFIG
from kiosk.terminal.completion import CompletionCode

DOC = Path(__file__).resolve().parents[2] / "docs" / "device-cli.md"


def test_every_completion_code_has_its_own_exit_code() -> None:
    assert set(EXIT_CODES) == set(CompletionCode)
    numbers = list(EXIT_CODES.values())
    assert len(set(numbers)) == len(numbers)
    assert EXIT_CODES[CompletionCode.SUCCESS] == 0 and 1 not in numbers and 2 not in numbers
    assert (exit_code("timeout"), exit_code(CompletionCode.DEVICE_NOT_READY), exit_code("invalid_data")) == (5, 4, 6)
    assert exit_code("no_such_code") == 1 and EXIT_DEVICE_CONFIG == EXIT_CONFIG == 78


def test_the_documented_table_is_the_one_in_the_code() -> None:
    rows = dict(re.findall(r"^\|\s*(\d+)\s*\|\s*`(\w+)`", DOC.read_text(encoding="utf-8"), re.M))
    assert {code.value: EXIT_CODES[code] for code in CompletionCode if code is not CompletionCode.SUCCESS} == {v: int(k) for k, v in rows.items()}
