"""≥ 30 power cuts at random instants under submit, session wipe, bundle switch and audit append (the full 200: bench_powercut)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sim.powercut.scenario import Scenario

CUTS = int(os.environ.get("KIOSK_POWERCUT_CUTS", "30"))


async def test_power_cuts_lose_duplicate_downgrade_and_break_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("KIOSK_POWERCUT_SEED", str(time.time_ns() % 1_000_000)))
    outcome = await Scenario(tmp_path, seed=seed, life_s=(0.2, 1.5)).run(CUTS)
    print(f"\npower-cut test (seed {seed}): {outcome.summary()}")
    assert outcome.violations == [], outcome.violations[:10]
    assert outcome.cuts >= 30
    assert len(outcome.receipts) >= CUTS and outcome.cases == len(outcome.receipts)  # real work between cuts, all of it delivered once
    assert outcome.audit_acked > CUTS and outcome.wiped and outcome.applied > 1
