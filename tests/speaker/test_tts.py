"""espeak-ng itself: Mandarin (not English-spelled pinyin) for our prompts, and honest WAVs."""

from __future__ import annotations

import shutil
import subprocess
import wave
import io

import pytest

from drivers.speaker.tts import DEFAULT_VOICE, check_text, fix_wav_header, phonemes, synthesize, wav_duration
from kiosk.errors import DeviceIOError, InvalidDataError

PROMPTS = [
    "欢迎使用渝快办自助终端",
    "请将身份证放在感应区",
    "请正对屏幕，请靠近一点",
    "请出示渝快码",
    "请到3号窗口办理",
    "请取走您的回执和证件",
    "办理成功，请对本次服务进行评价",
]


def no_deadline() -> float:
    return 10.0


@pytest.mark.parametrize("prompt", PROMPTS)
def test_prompt_is_spoken_as_mandarin_not_english(prompt: str) -> None:
    spoken = phonemes(prompt, DEFAULT_VOICE)
    assert spoken.strip(), "no phonemes at all"
    assert "(en)" not in spoken


def test_the_plain_cmn_voice_would_fail_this_check() -> None:
    """Why the voice is cmn-latn-pinyin: in espeak-ng 1.51 plain cmn switches to English here."""
    out = subprocess.run(["espeak-ng", "-q", "-x", "-v", "cmn", "欢迎"], capture_output=True, text=True, timeout=10).stdout
    assert "(en)" in out


@pytest.mark.parametrize("prompt", PROMPTS[:3])
def test_wav_duration_is_plausible_for_the_text(prompt: str) -> None:
    wav = synthesize(prompt, no_deadline)
    seconds = wav_duration(wav)
    assert 0.12 * len(prompt) < seconds < 0.6 * len(prompt)
    with wave.open(io.BytesIO(wav)) as parsed:
        assert parsed.getnchannels() == 1 and parsed.getsampwidth() == 2 and parsed.getframerate() == 22050


@pytest.mark.skipif(not shutil.which("soxi"), reason="sox not installed")
def test_sox_reads_the_same_duration(tmp_path) -> None:  # type: ignore[no-untyped-def]
    wav = synthesize(PROMPTS[1], no_deadline)
    path = tmp_path / "p.wav"
    path.write_bytes(wav)
    sox_seconds = float(subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, timeout=10).stdout)
    assert sox_seconds == pytest.approx(wav_duration(wav), abs=0.01)


def test_faster_speech_is_shorter() -> None:
    slow = wav_duration(synthesize(PROMPTS[0], no_deadline, speed=120))
    fast = wav_duration(synthesize(PROMPTS[0], no_deadline, speed=220))
    assert fast < slow * 0.8


@pytest.mark.parametrize("bad", ["", "   ", "x" * 501, "请\x00取卡"])
def test_bad_text_is_refused(bad: str) -> None:
    with pytest.raises(InvalidDataError):
        check_text(bad)


def test_text_that_looks_like_an_option_is_spoken_not_obeyed() -> None:
    wav = synthesize("--help 请取卡", no_deadline)
    assert wav_duration(wav) > 0.5


def test_streamed_header_is_repaired_and_garbage_refused() -> None:
    raw = subprocess.run(["espeak-ng", "-v", DEFAULT_VOICE, "--stdout"], input="请取卡".encode(), capture_output=True, timeout=10).stdout
    fixed = fix_wav_header(raw)
    with wave.open(io.BytesIO(fixed)) as parsed:
        assert parsed.getnframes() * 2 == len(fixed) - 44
    with pytest.raises(DeviceIOError):
        fix_wav_header(b"not a wav at all")
