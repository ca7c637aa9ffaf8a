"""The cached pinyin forms of the search index: same as pypinyin, and a warm start never imports pypinyin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.ime.keys import compute, pinyin_forms

REPO = Path(__file__).resolve().parents[2]


def test_forms_are_pypinyins_and_cached(tmp_path: Path) -> None:
    forms = pinyin_forms(["社保缴费", "重庆市户籍证明", "社保缴费"], tmp_path)
    assert forms == {"社保缴费": ("shebaojiaofei", "sbjf"), "重庆市户籍证明": compute("重庆市户籍证明")}
    assert forms["重庆市户籍证明"][1] == "cqshjzm"
    (cache,) = tmp_path.glob("pinyin-keys-*.json")
    assert "社保缴费" in cache.read_text(encoding="utf-8")


def test_torn_cache_is_rebuilt(tmp_path: Path) -> None:
    pinyin_forms(["失业登记"], tmp_path)
    (cache,) = tmp_path.glob("pinyin-keys-*.json")
    cache.write_text('{"失业登记": ["wrong"', encoding="utf-8")
    assert pinyin_forms(["失业登记"], tmp_path) == {"失业登记": ("shiyedengji", "sydj")}


CHILD = """
import sys
from kiosk.flows.search import ItemIndex
from kiosk.content import items_dir
from kiosk.items.loader import load_catalog
index = ItemIndex(load_catalog(items_dir()))
print(bool(index.search("sbjf")), "pypinyin" in sys.modules)
"""


def test_warm_index_does_not_import_pypinyin(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", CHILD], cwd=REPO, env=env, capture_output=True, text=True, check=True).stdout.split()
            for _ in range(2)]
    assert runs == [["True", "True"], ["True", "False"]]  # cold: computed with pypinyin; warm: from the cache
