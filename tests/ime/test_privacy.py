"""Nothing a citizen types outlives the session: no user dictionary, no learned order, no file.

A separate process (librime is process-global) types and commits a name, then reports its user
data dir; the test checks that the dir held no trace of the name while it ran, is gone after the
process, and that the compiled data in the cache was not touched (no user db written beside it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = "蒋欣怡"

SCRIPT = r"""
import json, os, sys
from kiosk.ime import Composer, load
method = load()
composer = Composer(method)
committed = ""
for syllable in ("jiang", "xin", "yi"):
    for letter in syllable:
        composer.type(letter)
    wanted = sys.argv[1][len(committed)]
    committed += composer.choose(next(c for c in composer.candidates(300) if c.text == wanted))
# the same name again: a learning engine would now rank it first
for letter in "jiangxinyi":
    composer.type(letter)
second = [c.text for c in composer.candidates(3)]
composer.clear()
files = {}
for base, _dirs, names in os.walk(method.user_dir):
    for name in names:
        path = os.path.join(base, name)
        files[path] = sys.argv[1].encode() in open(path, "rb").read()
print(json.dumps({"committed": committed, "user_dir": str(method.user_dir), "data_dir": str(method.data_dir),
                  "files": files, "second": second, "engine": method.name}, ensure_ascii=False))
"""


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(directory.rglob("*")) if p.is_file()}


def test_a_committed_name_leaves_nothing_on_disk() -> None:
    # compiled first in its own process (compiling restarts librime: not in this test process)
    compiled = subprocess.run([sys.executable, "-c", "from kiosk.ime import rime_data; print(rime_data.deployed())"],
                              cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    data_dir = Path(compiled.stdout.strip().splitlines()[-1])
    before = _snapshot(data_dir)
    cache_before = sorted(p.name for p in data_dir.parent.iterdir())
    out = subprocess.run([sys.executable, "-c", SCRIPT, NAME], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["engine"] == "librime"
    assert report["committed"] == NAME
    assert not any(report["files"].values()), report["files"]  # the name was in no file while it ran
    assert not any(name.endswith((".userdb", ".txt")) for name in report["files"])  # no user dictionary
    assert report["second"][0] != NAME  # not learned within the session either
    assert not Path(report["user_dir"]).exists()  # the throwaway user dir went with the process
    assert Path(report["data_dir"]) == data_dir and _snapshot(data_dir) == before
    assert sorted(p.name for p in data_dir.parent.iterdir()) == cache_before


def test_a_crashed_process_user_dir_is_swept(tmp_path: Path) -> None:
    from kiosk.ime.rime_engine import USER_DIR_PREFIX, sweep_abandoned

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    abandoned = tmp_path / f"{USER_DIR_PREFIX}{dead.stdout.strip()}-abc"
    abandoned.mkdir()
    (abandoned / "leftover").write_text("x")
    alive = tmp_path / f"{USER_DIR_PREFIX}1-abc"  # pid 1 is alive
    alive.mkdir()
    assert sweep_abandoned(tmp_path) == [abandoned]
    assert not abandoned.exists() and alive.exists()
