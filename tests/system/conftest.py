"""One cage session, started from the rendered kiosk.service, shared by the boot and the lockdown tests (a boot
costs 5–15 s on a loaded machine). Tests that leave the attract screen must not use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.system.cage import MISSING, CageSession, start_unit


@pytest.fixture(scope="session")
def booted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CageSession]:
    if MISSING:
        pytest.skip(f"not installed: {MISSING}")
    session = start_unit(tmp_path_factory.mktemp("unit"))
    try:
        yield session
    finally:
        session.stop()
