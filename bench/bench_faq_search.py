"""FAQ search quality and latency: recall@1/@3 on the colloquial test queries, per tokenisation variant.

Variants: bigrams + synonyms + stop bigrams + pinyin of unknown bigrams (shipped), without
synonyms, without stop bigrams; plus top-1 on homophone typos. Goal: recall@3 = 1.0 on the shipped variant, p95 latency < 20 ms per query.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from kiosk.content import faq_dir

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "knowledge"))

from test_search import QUERIES  # noqa: E402

from kiosk.knowledge import KnowledgeBase, base, tokenize  # noqa: E402
from report import goal, record  # noqa: E402  (bench/ is the script's own directory on sys.path)

GOAL_LATENCY_MS = goal("faq_p95").value


def evaluate(kb: KnowledgeBase) -> tuple[float, float, list[float]]:
    r1 = r3 = 0
    times = []
    for query, expected in QUERIES:
        t0 = time.perf_counter()
        hits = kb.search(query, 3)
        times.append((time.perf_counter() - t0) * 1000)
        ids = [h.id for h in hits]
        r1 += bool(ids[:1] and ids[0] in expected)
        r3 += bool(set(ids) & expected)
    return r1 / len(QUERIES), r3 / len(QUERIES), times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        kb = KnowledgeBase.build(faq_dir(), Path(tmp) / "faq.db")
        build_ms = (time.perf_counter() - t0) * 1000
        print(f"build: {kb.count()} entries in {build_ms:.0f} ms")
        variants = {"shipped (bigrams+synonyms+stop)": kb,
                    "no synonyms": KnowledgeBase(kb._db, [])}
        for name, variant in variants.items():
            r1, r3, times = evaluate(variant)
            p95 = sorted(times)[int(0.95 * (len(times) - 1))]
            print(f"{name:34s} recall@1 {r1:.2f}  recall@3 {r3:.2f}  median {statistics.median(times):.2f} ms  "
                  f"p95 {p95:.2f} ms  (ratio to {GOAL_LATENCY_MS:.0f} ms goal: {p95 / GOAL_LATENCY_MS:.2f})")
            if variant is kb:
                record("faq_p95", p95)
                record("faq_recall3", r3)
        typos = [("设保卡丢了", "si_04"), ("公鸡金证明怎么打", "hou_01"), ("无犯最记录怎么开", "hh_06"), ("准升证在哪办", "eb_09")]
        top1 = sum(kb.search(q, 1)[0].id == want for q, want in typos if kb.search(q, 1))
        print(f"{'homophone typos (pinyin)':34s} top1 {top1}/{len(typos)}")
        saved = tokenize.STOP_BIGRAMS
        base.STOP_BIGRAMS = frozenset()
        r1, r3, _ = evaluate(kb)
        base.STOP_BIGRAMS = saved
        print(f"{'no stop bigrams':34s} recall@1 {r1:.2f}  recall@3 {r3:.2f}")


if __name__ == "__main__":
    main()
