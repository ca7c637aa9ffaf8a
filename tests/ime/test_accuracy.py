"""Top-1 accuracy on the IME corpus (bench/ime_corpus.tsv) must not regress.

Measured with ``.venv/bin/python bench/bench_ime.py`` (see its docstring); the floor is the measured
value minus a 2-point margin, so a change that makes the keyboard guess worse fails here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.ime.engine import InputMethod

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_ime import evaluate, read_corpus

MEASURED_TOP1 = 0.78  # librime + domain dictionary, 2026-12-02 (names are the weak category)
MARGIN = 0.02


def test_corpus_is_large_and_varied() -> None:
    entries = read_corpus()
    assert len(entries) >= 200
    assert {e.category for e in entries} >= {"name", "place", "address", "item", "everyday", "abbrev"}
    assert len({e.pinyin for e in entries}) == len(entries)


def test_top1_accuracy_does_not_regress(rime: InputMethod) -> None:
    result = evaluate(rime, read_corpus())
    assert result.accuracy >= MEASURED_TOP1 - MARGIN, result.misses
    by_category = {k: v[0] / v[1] for k, v in result.by_category.items()}
    assert by_category["item"] >= 0.95 and by_category["place"] >= 0.95  # the domain dictionary at work
