"""The one GB 11643 check: real valid numbers (one ending in X), and each way a number is wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.identity.gb11643 import CHECK_CHARACTERS, WEIGHTS, IdNumberProblem, birth_date, check_character, id_number_problem

TODAY = dt.date(2026, 11, 26)


def test_the_weights_are_the_standards() -> None:
    assert WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert CHECK_CHARACTERS == "10X98765432"


@pytest.mark.parametrize("number", ["11010519491231002X", "500112198703152613", "440524193001010010", "500103199001011232"])
def test_valid_numbers(number: str) -> None:
    assert id_number_problem(number, TODAY) is None
    assert check_character(number[:17]) == number[17]


def test_x_check_character() -> None:
    assert check_character("11010519491231002") == "X"
    assert id_number_problem("11010519491231002x", TODAY) is IdNumberProblem.FORM  # callers upper-case first


@pytest.mark.parametrize("number,problem", [
    ("500112198703152612", IdNumberProblem.CHECK_DIGIT),   # last digit off by one
    ("110105194912310021", IdNumberProblem.CHECK_DIGIT),   # a digit where X belongs
    ("500112198702302613", IdNumberProblem.BIRTH_DATE),    # 30 February
    ("500112198713012613", IdNumberProblem.BIRTH_DATE),    # month 13
    ("500112208703152613", IdNumberProblem.BIRTH_DATE),    # born in 2087
    ("500112189903152613", IdNumberProblem.BIRTH_DATE),    # before 1900
    ("50011219870315261", IdNumberProblem.FORM),           # 17 characters
    ("5001121987031526130", IdNumberProblem.FORM),         # 19 characters
    ("5001121987031526A3", IdNumberProblem.FORM),          # a letter inside
    ("", IdNumberProblem.FORM),
])
def test_invalid_numbers(number: str, problem: IdNumberProblem) -> None:
    assert id_number_problem(number, TODAY) is problem


def test_birth_date_and_bad_input() -> None:
    assert birth_date("500112198703152613") == dt.date(1987, 3, 15)
    assert birth_date("500112198702302613") is None
    with pytest.raises(ValueError):
        check_character("1234")


def test_every_caller_uses_it() -> None:
    """The driver and form checks word the same verdicts (no second implementation can disagree)."""
    from drivers.chipcard.protocol import check_id_number
    from drivers.idcard.identity import id_number_problem as card_problem
    from kiosk.errors import InvalidDataError
    from kiosk.flows.validation import id_number_error

    assert card_problem("500112198702302613") == f"ID number: {IdNumberProblem.BIRTH_DATE.value}"
    assert "出生日期" in id_number_error("500112198702302613", TODAY)
    with pytest.raises(InvalidDataError, match="check digit"):
        check_id_number("500112198703152612")
