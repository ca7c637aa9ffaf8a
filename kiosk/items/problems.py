"""One finding of item validation: which file, which item, where, which rule.

Technicians fix configurations from these lines alone, so each names the item (code + file), the
JSON path inside the file and the rule that was broken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    code: str  # item/life-event code, "?" when the document has none
    path: str  # JSON path, e.g. $.materials[2].review_points[0].rejection
    rule: str  # e.g. schema.required, dangling_reference, rejection_without_basis
    message: str

    def __str__(self) -> str:
        return f"{self.file} [{self.code}] {self.path}: {self.rule}: {self.message}"


def json_path(parts: Iterable[object]) -> str:
    """``["a", 0, "b"]`` → ``$.a[0].b``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
