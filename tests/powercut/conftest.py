"""The power-cut tests need a FUSE mount (Debian fuse3 + mfusepy, installed by tools/setup.sh) and /dev/fuse."""

from __future__ import annotations

import os

import pytest

from sim.powercut.mount import fuse_available


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not os.path.exists("/dev/fuse"):  # a container without the device: nothing here can run (an install problem fails instead)
        for item in items:
            if "tests/powercut" in str(item.fspath) and "test_synchronous" not in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason="no /dev/fuse in this machine"))


@pytest.fixture(autouse=True)
def _fuse_installed() -> None:
    problem = fuse_available()
    assert problem in ("", "no /dev/fuse"), f"power-cut harness unusable: {problem} (bash tools/setup.sh installs it)"
