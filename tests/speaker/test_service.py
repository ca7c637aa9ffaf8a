"""The speaker service: sim and WAV-directory sinks, a player fed on stdin, cancel and errors."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import quote

import pytest

from drivers.speaker.service import SpeakerService
from drivers.speaker.tts import wav_duration
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.contracts import Speaker
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass


def make_speaker(url: str) -> SpeakerService:
    service = build_device(DeviceSpec("speaker", DeviceClass.SPEAKER, DeviceUrl.parse(url), timeout_s=10), EventBus())
    assert isinstance(service, SpeakerService)
    return service


@pytest.fixture
async def sim() -> AsyncIterator[SpeakerService]:
    service = make_speaker("sim:speaker")
    assert (await service.open()).ok
    yield service
    await service.close()


def script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "player.sh"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_contract() -> None:
    assert isinstance(make_speaker("sim:speaker"), Speaker)


async def test_sim_writes_a_wav_per_prompt_and_cleans_up(sim: SpeakerService) -> None:
    result = await sim.speak("请将身份证放在感应区")
    assert result.ok, result.description
    wav = sim.emulator.last_wav()
    assert wav is not None and wav.exists()
    assert wav_duration(wav.read_bytes()) == pytest.approx(result.detail["audio_s"], abs=0.01)
    assert (await sim.speak("请出示渝快码")).ok
    assert sim.emulator.spoken == ["请将身份证放在感应区", "请出示渝快码"]
    directory = sim.emulator.directory
    await sim.close()
    assert not directory.exists()


async def test_empty_prompt_is_invalid_data(sim: SpeakerService) -> None:
    result = await sim.speak("  ")
    assert result.code is CompletionCode.INVALID_DATA


async def test_wav_directory_numbers_files_and_keeps_a_bounded_number(tmp_path: Path) -> None:
    out = tmp_path / "prompts"
    service = make_speaker(f"wav://{out}?keep=2")
    assert (await service.open()).ok
    try:
        for text in ("请取卡", "请取回执", "谢谢"):
            assert (await service.speak(text)).ok
    finally:
        await service.close()
    assert sorted(p.name for p in out.iterdir()) == ["000002.wav", "000003.wav"]
    again = make_speaker(f"wav://{out}")  # numbering continues after a restart
    await again.open()
    try:
        assert (await again.speak("再见")).detail["output"].endswith("000004.wav")
    finally:
        await again.close()


async def test_player_gets_the_wav_on_stdin(tmp_path: Path) -> None:
    received = tmp_path / "received.wav"
    player = script(tmp_path, f"cat > {received}")
    service = make_speaker(f"espeak:default?player={quote(str(player))}")
    assert (await service.open()).ok
    try:
        result = await service.speak("请到光线充足处")
    finally:
        await service.close()
    assert result.ok, result.description
    assert received.read_bytes()[:4] == b"RIFF"
    assert wav_duration(received.read_bytes()) == pytest.approx(result.detail["audio_s"], abs=0.01)


async def test_cancel_cuts_playback_short(tmp_path: Path) -> None:
    player = script(tmp_path, "cat > /dev/null; sleep 5")
    service = make_speaker(f"espeak:default?player={quote(str(player))}")
    await service.open()
    try:
        task = asyncio.create_task(service.speak("请保持不动"))
        await asyncio.sleep(0.3)
        loop = asyncio.get_running_loop()
        started = loop.time()
        service.cancel()
        result = await task
        assert result.code is CompletionCode.CANCELED
        assert loop.time() - started < 0.8
    finally:
        await service.close()


async def test_failing_player_is_a_hardware_error_naming_it(tmp_path: Path) -> None:
    player = script(tmp_path, "cat > /dev/null; echo 'no soundcards found' >&2; exit 1")
    service = make_speaker(f"espeak:default?player={quote(str(player))}")
    await service.open()
    try:
        result = await service.speak("你好")
    finally:
        await service.close()
    assert result.code is CompletionCode.HARDWARE_ERROR
    assert "no soundcards found" in result.description


async def test_unknown_voice_or_player_is_device_not_ready() -> None:
    voice = make_speaker("sim:speaker?voice=cmn-klingon")
    assert (await voice.open()).code is CompletionCode.DEVICE_NOT_READY
    await voice.close()
    player = make_speaker("espeak:default?player=no-such-player-binary")
    result = await player.open()
    assert result.code is CompletionCode.DEVICE_NOT_READY and "no-such-player-binary" in result.description
    await player.close()
