"""``kiosk device chipcard read|readers`` against the suite's pcscd and our virtual card."""

from __future__ import annotations

import json
from typing import Callable

import pytest

from kiosk.cli.main import main
from sim.devices.chipcard.emulator import VirtualCard
from tests.chipcard.conftest import READER

Insert = Callable[..., VirtualCard]


def test_read_json_prints_every_field(pcscd: object, insert: Insert, capsys: pytest.CaptureFixture[str]) -> None:
    insert("zhangsan")
    code = main(["device", "chipcard", "read", "--reader", READER, "--json", "--timeout", "3"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["name"] == "张三"
    assert data["social_security_number"] == "500112198703152613"
    assert data["card_number"] == "C50011201"
    assert data["reader"] == READER
    assert "张三" in out  # unmasked on purpose: the technician checks the card


def test_read_without_card_is_one_line_error(pcscd: object, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["device", "chipcard", "read", "--reader", READER, "--timeout", "0.6"])
    out, err = capsys.readouterr()
    assert code == 3
    assert out == ""
    assert err.count("\n") == 1 and "no_media" in err and "Traceback" not in err


def test_read_unknown_reader_is_one_line_error(pcscd: object, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["device", "chipcard", "read", "--reader", "Nope 99", "--timeout", "1"])
    _, err = capsys.readouterr()
    assert code == 4 and err.count("\n") == 1 and "Nope 99" in err


def test_technician_card(pcscd: object, insert: Insert, capsys: pytest.CaptureFixture[str]) -> None:
    insert(None, technician="tech01")
    code = main(["device", "chipcard", "read", "--reader", READER, "--technician", "--json", "--timeout", "3"])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out) == {"technician_id": "JX500112001"}


def test_readers(pcscd: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["device", "chipcard", "readers", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == ["Virtual PCD 00 00", "Virtual PCD 00 01"]
