"""``kiosk device speaker say``: to WAV files, and a one-line error when nothing can play."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from drivers.speaker.tts import wav_duration
from sim.config import DEMO_CONFIG


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--config", str(DEMO_CONFIG), *args], capture_output=True, text=True, timeout=30)


def test_say_into_a_wav_directory(tmp_path: Path) -> None:
    out = kiosk("device", "speaker", "say", "请将身份证放在感应区", "--target", f"wav://{tmp_path}")
    assert out.returncode == 0, out.stderr
    wav = tmp_path / "000001.wav"
    assert wav.exists() and str(wav) in out.stdout
    assert 1.0 < wav_duration(wav.read_bytes()) < 6.0


def test_say_on_the_default_sim() -> None:
    out = kiosk("device", "speaker", "say", "你好")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("spoken: ")


def test_unknown_voice_is_one_line() -> None:
    out = kiosk("device", "speaker", "say", "你好", "--target", "sim:speaker?voice=xx-none")
    assert out.returncode == 4
    assert out.stderr.strip().count("\n") == 0 and "xx-none" in out.stderr
