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


def test_every_driver_cli_uses_the_one_table() -> None:
    """No driver CLI keeps its own numbers: each maps completions with kiosk.cli.device_exit.exit_code."""
    import ast

    from kiosk.cli.device_cmd import DEVICE_COMMANDS

    root = Path(__file__).resolve().parents[2]
    for module in DEVICE_COMMANDS:
        source = (root / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        tree = ast.parse(source)
        own = [n for n in ast.walk(tree) if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "EXIT_CODES" for t in n.targets)]
        assert not own, f"{module} defines its own EXIT_CODES"
        if "Completion" in source and module != "drivers.doccam.cli":  # doccam reports through its own guidance lines
            assert "from kiosk.cli.device_exit import" in source, f"{module} does not use the shared exit-code table"


def test_a_timeout_is_the_same_code_for_two_different_devices() -> None:
    import subprocess
    import sys

    def run(*argv: str) -> int:
        return subprocess.run([sys.executable, "-m", "kiosk.cli.main", *argv], capture_output=True, text=True, timeout=60).returncode

    assert run("device", "barcode", "read", "--source", "sim:barcode", "--timeout", "0.5") == EXIT_CODES[CompletionCode.TIMEOUT]
    assert run("device", "idcard", "read", "--port", "/dev/kiosk-no-such-reader", "--timeout", "2") == EXIT_CODES[CompletionCode.DEVICE_NOT_READY]
