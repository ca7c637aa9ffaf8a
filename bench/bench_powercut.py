"""Power cuts at random instants under submit, session wipe, bundle switch and audit append (issue 17 point 4).

The lazy FUSE layer (sim/sim/powercut) keeps only what was fsynced; each cut kills the terminal, the disk comes back
as fsync left it, and the next life checks audit chain, config version, quarantines and wiped scans; a last life
delivers everything. Figures: cuts run, violations (applications lost or duplicated, audit broken or short, config
downgrade, quarantine, key lost, scan back), and the seconds one cut + restore + recovery costs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from report import record  # noqa: E402  (the goal table, bench/goals.toml)

from sim.powercut.scenario import Scenario  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cuts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=time.time_ns() % 1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-powercut-") as tmp:
        outcome = asyncio.run(Scenario(Path(tmp), seed=args.seed, life_s=(0.2, 2.5)).run(args.cuts))
    print(f"seed {args.seed}: {outcome.summary()}")
    for line in outcome.violations[:20]:
        print("  violation:", line)
    print(f"restore after a cut: median {statistics.median(outcome.restore_s):.2f} s, max {max(outcome.restore_s):.2f} s")
    record("powercut_cuts", outcome.cuts)
    record("powercut_violations", len(outcome.violations))
    record("powercut_lost", len(outcome.lost) + outcome.duplicated)
    record("powercut_s_per_cut", outcome.seconds / max(1, outcome.cuts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
