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

MEASURED_TOP1 = 0.905  # librime + domain dictionary, names typed with the name hint, 2026-12-02
MEASURED_TOP1_NO_HINT = 0.78  # the same with names typed as any text (李华 loses to the word 梨花)
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
    plain = evaluate(rime, read_corpus(), name_hint=False)
    assert plain.accuracy >= MEASURED_TOP1_NO_HINT - MARGIN, plain.misses
    assert result.by_category["name"][0] > plain.by_category["name"][0] + 20  # the hint is what names need
