"""The one GB 11643-1999 citizen ID number check (18 characters, ISO 7064 MOD 11-2 check character).

Why one module: the ID card reader, the social-security card reader and the form step each had
their own copy of the weights and the check table; a fix in one (upper-case x, a birth date of
30 February) did not reach the others. Each caller words the problem its own way (plain Chinese on
the form, English in driver errors) from the ``IdNumberProblem`` returned here.
"""

from __future__ import annotations

import datetime as dt
import enum
import re

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11
_FORM = re.compile(r"\d{17}[\dX]")
EARLIEST_BIRTH_YEAR = 1900


class IdNumberProblem(enum.Enum):
    FORM = "not 17 digits followed by a digit or X"
    BIRTH_DATE = "birth date (characters 7-14) is not a real past date"
    CHECK_DIGIT = "wrong check digit"


def check_character(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_date(number: str) -> dt.date | None:
    """The birth date written in characters 7-14, None when it is not a calendar date."""
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_number_problem(number: str, today: dt.date | None = None) -> IdNumberProblem | None:
    """What is wrong with ``number`` (exactly as given: callers normalise case and spaces), None if valid."""
    if not _FORM.fullmatch(number):
        return IdNumberProblem.FORM
    born = birth_date(number)
    if born is None or born.year < EARLIEST_BIRTH_YEAR or born > (today or dt.date.today()):
        return IdNumberProblem.BIRTH_DATE
    if check_character(number[:17]) != number[17]:
        return IdNumberProblem.CHECK_DIGIT
    return None
