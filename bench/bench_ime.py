"""IME quality and speed: top-1 accuracy on the corpus, per-key latency, keys lost at 8 keys/s.

Corpus: bench/ime_corpus.tsv (pinyin typed → expected first candidate, by category: personal names,
Chongqing places and addresses, everyday words of the hall, the catalog's item names, abbreviations).
Names are typed with the name hint (``Composer.hint = "name"``, as in a 姓名 field); the report also
gives the accuracy without it. Each entry is typed letter by letter into a fresh ``Composer`` the way the keyboard does (after every
key the visible page is read, as its refresh does); top-1 means the first candidate shown equals the
expectation. Goal: top-1 ≥ 90 %, p95 per-key latency well under 125 ms (8 keys/s), 0 keys lost.

    .venv/bin/python bench/bench_ime.py [--json] [--fallback]
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.ime import Composer, InputMethod, load  # noqa: E402
from report import goal, record  # noqa: E402  (the goal table, bench/goals.toml)

CORPUS = Path(__file__).with_name("ime_corpus.tsv")
GOAL_TOP1 = goal("ime_top1").value
KEY_INTERVAL_S = 1 / 8  # 8 keys per second


@dataclass(frozen=True)
class Entry:
    pinyin: str
    expected: str
    category: str


@dataclass
class Result:
    total: int = 0
    top1: int = 0
    top5: int = 0
    by_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # pinyin, expected, got
    key_ms: list[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.top1 / self.total if self.total else 0.0


def read_corpus(path: Path = CORPUS) -> list[Entry]:
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            pinyin, expected, category = line.split("\t")
            entries.append(Entry(pinyin, expected, category))
    return entries


def evaluate(method: InputMethod, entries: list[Entry], name_hint: bool = True) -> Result:
    """Top-1/top-5 over ``entries``; names are typed with the name hint (a name field) unless told not."""
    result = Result()
    composer = Composer(method, page_size=8)
    for entry in entries:
        composer.clear()
        composer.hint = "name" if name_hint and entry.category == "name" else ""
        for letter in entry.pinyin:
            started = time.perf_counter()
            composer.type(letter)
            composer.visible()
            result.key_ms.append((time.perf_counter() - started) * 1000)
        shown = [c.text for c in composer.candidates(5)]
        hit = bool(shown) and shown[0] == entry.expected
        result.total += 1
        result.top1 += hit
        result.top5 += entry.expected in shown
        counts = result.by_category[entry.category]
        counts[0] += hit
        counts[1] += 1
        if not hit:
            result.misses.append((entry.pinyin, entry.expected, shown[0] if shown else ""))
    composer.close()
    return result


def keys_lost_at_rate(method: InputMethod, text: str, interval_s: float = KEY_INTERVAL_S) -> int:
    """Type ``text`` from another thread at one key per ``interval_s`` (a citizen's fast finger), while
    the consumer refreshes the page after every key; how many letters did not reach the composition."""
    keys: queue.Queue[str | None] = queue.Queue()
    composer = Composer(method)

    def finger() -> None:
        start = time.monotonic()
        for number, letter in enumerate(text):
            time.sleep(max(0.0, start + number * interval_s - time.monotonic()))
            keys.put(letter)
        keys.put(None)

    thread = threading.Thread(target=finger)
    thread.start()
    while (letter := keys.get()) is not None:
        composer.type(letter)
        composer.visible()
    thread.join()
    lost = len(text) - len(composer.letters)
    composer.close()
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--fallback", action="store_true", help="measure the fallback ranking instead of librime")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.fallback:
        from kiosk.ime.choice import LegacyInputMethod

        method: InputMethod = LegacyInputMethod("benchmark")
    else:
        method = load()
    load_s = time.perf_counter() - started
    entries = read_corpus()
    result = evaluate(method, entries)
    plain = evaluate(method, entries, name_hint=False)
    lost = keys_lost_at_rate(method, "zhongguorenminyinhangchongqingshifenhang")
    ms = sorted(result.key_ms)
    report = {
        "engine": method.name,
        "entries": result.total,
        "top1": round(result.accuracy, 4),
        "top5": round(result.top5 / result.total, 4),
        "goal_top1": GOAL_TOP1,
        "by_category": {k: f"{v[0]}/{v[1]}" for k, v in sorted(result.by_category.items())},
        "top1_without_name_hint": round(plain.accuracy, 4),
        "names_without_name_hint": "{}/{}".format(*plain.by_category["name"]),
        "key_ms_p50": round(statistics.median(ms), 2),
        "key_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 2),
        "key_ms_max": round(ms[-1], 2),
        "keys_lost_at_8_per_s": lost,
        "load_s": round(load_s, 2),
        "misses": [f"{p} → {e} (got {g})" for p, e, g in result.misses],
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(f"engine {report['engine']}: top-1 {report['top1']:.1%} (goal {GOAL_TOP1:.0%}), top-5 {report['top5']:.1%} "
              f"over {result.total} entries; load {report['load_s']} s")
        print("by category: " + ", ".join(f"{k} {v}" for k, v in report["by_category"].items()))
        print(f"without the name hint (names typed as any text): top-1 {plain.accuracy:.1%}, "
              f"names {report['names_without_name_hint']}")
        print(f"per key: p50 {report['key_ms_p50']} ms, p95 {report['key_ms_p95']} ms, max {report['key_ms_max']} ms; "
              f"keys lost at 8 keys/s: {lost}")
        for miss in report["misses"]:
            print("  miss:", miss)
        record("ime_top1", result.accuracy)
    return 0 if result.accuracy >= GOAL_TOP1 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
