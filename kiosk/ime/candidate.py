"""One entry of the candidate bar, shared by both engines (librime and the fallback)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    text: str
    syllables: int = 0  # fallback engine: syllables choosing it consumes (0: a variant)
    index: int = -1  # librime: its position in the engine's menu
    base: str = ""  # a rare variant offered after its common form (𠮷 after 吉): the form librime knows
