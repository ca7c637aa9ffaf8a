"""``make bench``: run every bench, then print one line per goal of bench/goals.toml — measured / goal / verdict.

Each bench prints ``BENCH-RESULT {json}`` lines through bench/report.py; this runner collects them. It FAILS
(exit 1) on a broken bench: one that exits non-zero (an exception, a device it could not open) or that leaves a
goal of the table without a result. A missed goal is reported (MISSES) but does not fail the run: the goals are
issue 19's targets, several are open work, and a shared 2-core machine makes timings noisy — a red `make bench`
must mean "a bench is broken", not "the machine was busy". ``--strict`` also fails on a missed goal. Goals marked
``optional`` (a comparison whose peer, e.g. Chromium, is not installed) may be skipped.

    .venv/bin/python bench/run.py [--quick] [--strict] [bench_ui bench_qr …]
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from report import GOALS_FILE, MARKER, goals, verdict_line

BENCH_DIR = Path(__file__).resolve().parent


def run_bench(script: Path, args: list[str]) -> tuple[int, dict[str, float], float]:
    """Run one bench, echoing its output; (exit status, results by goal name, seconds)."""
    results: dict[str, float] = {}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(script), *args], cwd=BENCH_DIR.parent, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(MARKER):
            row = json.loads(line[len(MARKER):])
            results[row["name"]] = float(row["measured"])
        else:
            print(line, end="", flush=True)
    return proc.wait(), results, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benches", nargs="*", help="bench names (default: every bench/bench_*.py)")
    parser.add_argument("--quick", action="store_true", help="the short arguments of goals.toml [bench]")
    parser.add_argument("--strict", action="store_true", help="also fail on a missed goal")
    args = parser.parse_args()
    table = goals()
    optional = {name for name, row in tomllib.loads(GOALS_FILE.read_text(encoding="utf-8"))["goal"].items() if row.get("optional")}
    quick = tomllib.loads(GOALS_FILE.read_text(encoding="utf-8")).get("bench", {}) if args.quick else {}
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if args.benches:
        scripts = [s for s in scripts if s.stem in args.benches]
    broken: list[str] = []
    measured: dict[str, float] = {}
    for script in scripts:
        print(f"== {script.name} {quick.get(script.stem, '')}", flush=True)
        status, results, seconds = run_bench(script, shlex.split(quick.get(script.stem, "")))
        measured |= results
        missing = [g.name for g in table.values() if g.bench == script.stem and g.name not in results and g.name not in optional]
        if status != 0:
            broken.append(f"{script.stem}: exit status {status}")
        elif missing:
            broken.append(f"{script.stem}: no result for {', '.join(missing)}")
        print(f"== {script.name}: {seconds:.0f} s, exit {status}", flush=True)
    ran = {s.stem for s in scripts}
    print("\n== goals (bench/goals.toml): measured / goal / verdict")
    misses = 0
    for g in table.values():
        if g.bench not in ran:
            continue
        if g.name in measured:
            misses += not g.met(measured[g.name])
            print(verdict_line(g, measured[g.name]))
        else:
            print(f"{g.name:<22} {'—':>10} {'':<10} goal {g.comparison} {g.value:g} {g.unit:<10} "
                  f"{'skipped (optional)' if g.name in optional else 'NO RESULT'}   ({g.quantity})")
    untabled = sorted(set(measured) - set(table))
    if untabled:
        broken.append(f"results without a goal in goals.toml: {', '.join(untabled)}")
    print(f"\n{len(measured)} results, {misses} missed goals, {len(broken)} broken benches")
    for line in broken:
        print(f"BROKEN {line}")
    return 1 if broken or (args.strict and misses) else 0


if __name__ == "__main__":
    sys.exit(main())
