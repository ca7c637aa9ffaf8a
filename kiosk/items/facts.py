"""Where an item's facts come from, and whether it may be decided on the spot (即办件).

Kept apart from ``model`` so the flow engine and the documents can read provenance without the
rest of the item model; both are built by ``kiosk.items.build`` from validated documents.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImmediateDecision:
    """即办件: whether the terminal may decide on the spot, and the rule that allows or forbids it."""

    allowed: bool
    basis: str
    basis_ref: str | None = None
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactSource:
    status: str  # official | repost | third_party | statute_recalled | synthetic | unknown
    sources: tuple[str, ...] = ()
    checked: str | None = None
    unknown: tuple[str, ...] = ()
    note: str | None = None


__all__ = ["FactSource", "ImmediateDecision"]
