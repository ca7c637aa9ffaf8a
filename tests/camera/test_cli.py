"""``kiosk device camera check``: verdict, guidance and measurements; no traceback on errors."""

from __future__ import annotations

import json
import subprocess
import sys

from sim.config import DEMO_CONFIG


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(DEMO_CONFIG), *args], capture_output=True, text=True, timeout=30)


def test_good_scene_passes_as_json() -> None:
    out = kiosk("device", "camera", "check", "--source", "sim:camera?scene=good", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is True and report["faces"] == 1 and report["metrics"]["face_ratio"] >= 0.15


def test_far_scene_prints_the_guidance_and_exits_3() -> None:
    out = kiosk("device", "camera", "check", "--source", "sim:camera?scene=far")
    assert out.returncode == 7  # user_error: the citizen must move (docs/device-cli.md)
    assert "请靠近一点" in out.stdout and "too_far" in out.stdout


def test_default_config_camera_is_the_sim() -> None:
    assert kiosk("device", "camera", "check", "--json").returncode == 0


def test_missing_camera_is_one_line() -> None:
    out = kiosk("device", "camera", "check", "--source", "camera:///dev/video-missing")
    assert out.returncode == 4
    assert out.stderr.strip().count("\n") == 0 and "video-missing" in out.stderr
