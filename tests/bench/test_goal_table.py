"""bench/goals.toml is the one goal table: every goal names a bench that records it, no bench keeps a goal
constant of its own, and bench/run.py (``make bench``) fails on a broken bench but not on a missed goal."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
TABLE = tomllib.loads((BENCH / "goals.toml").read_text(encoding="utf-8"))
#: benches that do not read the table yet (none)
PENDING: set[str] = set()


@pytest.mark.parametrize("name", sorted(TABLE["goal"]))
def test_each_goal_is_recorded_by_its_bench(name: str) -> None:
    row = TABLE["goal"][name]
    assert row["comparison"] in ("<", "<=", ">", ">="), row
    assert row["reference"].strip(), f"{name}: a goal says where it comes from"
    script = BENCH / f"{row['bench']}.py"
    assert script.exists(), f"{name}: no {script.name}"
    if row["bench"] in PENDING:
        pytest.skip(f"{row['bench']} reads the table later")
    sources = script.read_text(encoding="utf-8") + (BENCH / "chromium_peer.py").read_text(encoding="utf-8")
    assert "record(" in sources and f'"{name}"' in sources, f"{script.name} never records {name}"


def test_no_bench_keeps_a_goal_constant_of_its_own() -> None:
    literal = re.compile(r"^(GOAL_\w+|BUDGET_MS)\s*=\s*[\d.]+", re.M)
    offenders = [p.name for p in BENCH.glob("*.py") if p.stem not in PENDING and literal.search(p.read_text(encoding="utf-8"))]
    assert not offenders


def _run(folder: Path, benches: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name in ("run.py", "report.py", "goals.toml"):
        shutil.copy(BENCH / name, folder / name)
    for name, text in benches.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, str(folder / "run.py"), *benches], capture_output=True, text=True, timeout=60)


def test_the_runner_fails_on_a_broken_bench_and_names_it(tmp_path: Path) -> None:
    done = _run(tmp_path, {"bench_qr": "raise RuntimeError('boom')\n",
                           "bench_faq_search": "from report import record\nrecord('faq_p95', 1.0)\n"})  # faq_recall3 missing
    assert done.returncode == 1, done.stdout
    assert "BROKEN bench_qr: exit status 1" in done.stdout
    assert "BROKEN bench_faq_search: no result for faq_recall3" in done.stdout


def test_a_missed_goal_is_reported_not_failed_unless_strict(tmp_path: Path) -> None:
    bench = {"bench_receipt": "from report import record\nrecord('receipt_wire', 9.0)\nrecord('receipt_preview', 1.0)\n"}
    done = _run(tmp_path, bench)
    assert done.returncode == 0, done.stdout
    assert re.search(r"receipt_wire .* MISSES", done.stdout) and re.search(r"receipt_preview .* meets", done.stdout)
    strict = subprocess.run([sys.executable, str(tmp_path / "run.py"), "--strict", "bench_receipt"], capture_output=True, text=True, timeout=60)
    assert strict.returncode == 1
