"""librime for the IME tests: one engine per test process (librime is process-global), on the data
compiled into the user cache (the first run compiles it, ~20 s; later runs open it in ~0.1 s)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.ime import Composer, load
from kiosk.ime.engine import InputMethod


@pytest.fixture(scope="session")
def rime() -> InputMethod:
    method = load()
    assert method.name == "librime", method.reason  # librime1 + rime-data-luna-pinyin are Depends
    return method


@pytest.fixture
def composer(rime: InputMethod) -> Iterator[Composer]:
    composer = Composer(rime)
    yield composer
    composer.close()


def type_all(composer: Composer, letters: str) -> None:
    for letter in letters:
        composer.type(letter)


def texts(composer: Composer, count: int = 8) -> list[str]:
    return [c.text for c in composer.candidates(count)]
