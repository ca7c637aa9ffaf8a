"""``kiosk ime candidates`` prints the keyboard's ranking; ``kiosk ime status`` names the engine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_candidates_json() -> None:
    out = kiosk("ime", "candidates", "shebaoka", "--json", "--limit", "5")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["engine"] == "librime" and report["preedit"] == "she bao ka"
    assert report["candidates"][0] == "社保卡" and len(report["candidates"]) == 5


def test_candidates_text_is_ranked() -> None:
    out = kiosk("ime", "candidates", "sfz", "--limit", "3")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("s f z") and lines[1].split() == ["1", "身份证"] and len(lines) == 4


def test_candidates_as_a_name() -> None:
    plain = json.loads(kiosk("ime", "candidates", "wangxiaoming", "--json").stdout)["candidates"]
    named = json.loads(kiosk("ime", "candidates", "wangxiaoming", "--json", "--name").stdout)["candidates"]
    assert named[0][0] == "王" and plain[0] != named[0]


def test_recognize_strokes() -> None:
    out = kiosk("ime", "recognize", "[[[40,140],[260,140]],[[150,30],[150,280]]]", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["candidates"][0] == "十"
    assert kiosk("ime", "recognize", "[[1,2,3]]").returncode == 2


def test_not_pinyin_is_a_usage_error() -> None:
    out = kiosk("ime", "candidates", "she-bao")
    assert out.returncode == 2 and "not pinyin" in out.stdout


def test_status_names_librime() -> None:
    out = kiosk("ime", "status", "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["engine"] == "librime"
