"""The benches' one goal table (bench/goals.toml) and their result lines.

A bench asks ``goal(name)`` for its goal (never a constant of its own) and calls ``record(name, measured)`` once
per figure: it prints ``measured / goal / verdict`` for a reader and one ``BENCH-RESULT {json}`` line that
bench/run.py collects into the table ``make bench`` prints. Benches are not product code: no kivy, no sim here.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

GOALS_FILE = Path(__file__).with_name("goals.toml")
MARKER = "BENCH-RESULT "
COMPARE = {"<=": lambda m, g: m <= g, "<": lambda m, g: m < g, ">=": lambda m, g: m >= g, ">": lambda m, g: m > g}


@dataclass(frozen=True)
class Goal:
    name: str
    bench: str
    quantity: str
    unit: str
    value: float
    comparison: str
    reference: str

    def met(self, measured: float) -> bool:
        return bool(COMPARE[self.comparison](measured, self.value))

    def ratio(self, measured: float) -> float:
        """≤ 1 meets the goal, whichever way it points."""
        if self.comparison.startswith("<"):
            return measured / self.value if self.value else float("inf")
        return self.value / measured if measured else float("inf")


def goals() -> dict[str, Goal]:
    table = tomllib.loads(GOALS_FILE.read_text(encoding="utf-8"))
    out = {}
    for name, row in table["goal"].items():
        if row["comparison"] not in COMPARE:
            raise ValueError(f"goals.toml: {name}: comparison {row['comparison']!r} is none of {sorted(COMPARE)}")
        out[name] = Goal(name, row["bench"], row["quantity"], row["unit"], float(row["goal"]), row["comparison"], row["reference"])
    return out


def goal(name: str) -> Goal:
    return goals()[name]


def verdict_line(g: Goal, measured: float) -> str:
    verdict = "meets" if g.met(measured) else "MISSES"
    return (f"{g.name:<22} {measured:10.3f} {g.unit:<10} goal {g.comparison} {g.value:g} {g.unit:<10} "
            f"ratio {g.ratio(measured):6.2f}  {verdict}   ({g.quantity})")


def record(name: str, measured: float) -> bool:
    """Print the figure against its goal, plus the line bench/run.py collects; True when the goal is met."""
    g = goal(name)
    print(verdict_line(g, measured), flush=True)
    print(MARKER + json.dumps({"name": name, "measured": measured}), flush=True)
    return g.met(measured)
