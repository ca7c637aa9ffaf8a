"""Content shipped inside the package: the built-in item catalog and the FAQ.

Package data, found next to this module whether the product runs from a checkout, an installed wheel
or the Debian package (installed unzipped, so ``files()`` is a real directory).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _here(name: str) -> Path:
    return Path(str(files("kiosk.content").joinpath(name)))


def items_dir() -> Path:
    """The item catalog the software ships with (a signed configuration bundle replaces it in the field)."""
    return _here("items")


def faq_dir() -> Path:
    return _here("faq")
