"""No ID number, name or phone number reaches the log file unmasked, whichever logger writes it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.logging_setup import configure_logging

ID_NUMBER = "500112198703152620"
NAME = "张三丰"
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _own_handlers_removed() -> Iterator[None]:
    """configure_logging installs masking handlers on the root logger: remove them after each test, or every later
    test's records pass through them (and lose exc_info to the in-place mask)."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_kiosk", False)]:
        root.removeHandler(handler)
        handler.close()


def test_pii_is_masked_on_disk_for_every_logger(tmp_path: Path) -> None:
    log_file = tmp_path / "kiosk.jsonl"
    names = configure_logging("DEBUG", log_file)
    names.add(NAME)
    for logger_name in ("drivers.idcard", "kiosk.flows", "httpx", "some.library", "kiosk.outbox", "after"):
        logger = logging.getLogger(logger_name)  # other tests may have quietened these; this one needs them all
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    try:
        logging.getLogger("drivers.idcard").info("read card of %s id %s", NAME, ID_NUMBER)
        logging.getLogger("kiosk.flows").warning(f"applicant {NAME} phone {PHONE}")
        logging.getLogger("httpx").debug("POST body", extra={"id_number": ID_NUMBER, "payload": {"name": NAME, "phone": PHONE}})
        logging.getLogger("some.library").error("free text %s/%s", PHONE, ID_NUMBER.lower())
        try:
            raise ValueError(f"bad record {ID_NUMBER} for {NAME}")
        except ValueError:
            logging.getLogger("kiosk.outbox").exception("delivery failed")
        logging.getLogger().info("legacy 15-digit id 500112870315262 and X id 11010519491231002X")
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert ID_NUMBER not in text and NAME not in text and PHONE not in text
    assert "11010519491231002X" not in text and "500112870315262" not in text
    assert "5001**********2620" in text
    assert "138****5678" in text
    assert "张**" in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 6
    assert {line["logger"] for line in lines} >= {"drivers.idcard", "kiosk.flows", "httpx", "some.library", "kiosk.outbox"}
    names.clear()
    logging.getLogger("after").info("session over: %s", NAME)
    assert NAME in log_file.read_text(encoding="utf-8").splitlines()[-1]  # masking of names is per session


def test_mask_leaves_ordinary_numbers_alone(tmp_path: Path) -> None:
    log_file = tmp_path / "k.jsonl"
    configure_logging("INFO", log_file)
    logging.getLogger("x").info("case 20261126000123456789 took 1234 ms on port 9100")
    assert "20261126000123456789" in log_file.read_text(encoding="utf-8")


def test_bank_accounts_are_masked_by_field_name() -> None:
    from kiosk.privacy import mask_bank_account, mask_value

    assert mask_bank_account("6222020200112345678") == "6222***********5678"
    assert mask_value("extra", {"bank_account": "6222 0202 0011 2345 678"}) == {"bank_account": "6222***********5678"}
