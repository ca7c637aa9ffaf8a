"""A speaker with nothing to play on is ``no_device`` at open (and at a probe), never online."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.speaker.probe import alsa_cards, default_runtime_dirs, find_audio_output, sound_server
from drivers.speaker.service import SpeakerService
from drivers.speaker.sink import PlayerSink
from kiosk.errors import DeviceUnavailableError
from kiosk.terminal.completion import CompletionCode
from kiosk.terminal.error_codes import SpeakerError
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import DeviceSpec, DeviceUrl, build_device
from kiosk.terminal.status import DeviceClass, DeviceState

CARDS = " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n                      HDA Intel PCH at 0xf7f10000 irq 32\n"
NO_CARDS = "--- no soundcards ---\n"
MACHINE_HAS_AUDIO = bool(alsa_cards() or sound_server(default_runtime_dirs()))
PLAYER = next((p for p in ("aplay", "paplay", "play") if shutil.which(p)), "")
needs_player = pytest.mark.skipif(not PLAYER, reason="no audio player installed (alsa-utils, pulseaudio-utils or sox)")


def speaker(sink: PlayerSink) -> SpeakerService:
    return SpeakerService("speaker", EventBus(), sink, default_timeout=10)


@pytest.fixture
def server_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory with a listening unix socket where PulseAudio puts its own (pulse/native)."""
    (tmp_path / "pulse").mkdir()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(tmp_path / "pulse" / "native"))
    listener.listen(4)
    yield tmp_path
    listener.close()


@needs_player
@pytest.mark.skipif(MACHINE_HAS_AUDIO, reason="this machine has a sound card or server")
async def test_this_machine_without_audio_makes_the_real_speaker_no_device() -> None:
    service = build_device(DeviceSpec("speaker", DeviceClass.SPEAKER, DeviceUrl.parse("espeak:default"), timeout_s=10), EventBus())
    opened = await service.open()
    try:
        assert opened.code is CompletionCode.DEVICE_NOT_READY
        assert opened.error_code is SpeakerError.NO_AUDIO_DEVICE
        status = service.status()
        assert status.state is DeviceState.NO_DEVICE
        assert "nothing to play on" in status.description and "/proc/asound/cards" in status.description
    finally:
        await service.close()


async def test_the_emulated_sink_is_present_online_and_probes_ok() -> None:
    service = build_device(DeviceSpec("speaker", DeviceClass.SPEAKER, DeviceUrl.parse("sim:speaker"), timeout_s=10), EventBus())
    assert (await service.open()).ok
    try:
        assert service.status().state is DeviceState.ONLINE
        assert service.probes and (await service.probe()).ok
        shutil.rmtree(service.emulator.directory)  # the sink's place is gone
        probed = await service.probe()
        assert probed.code is CompletionCode.DEVICE_NOT_READY and service.status().state is DeviceState.NO_DEVICE
    finally:
        await service.close()


@needs_player
async def test_a_listed_sound_card_is_present(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.write_text(CARDS)
    service = speaker(PlayerSink(cards_file=cards, runtime_dirs=[tmp_path]))
    if PLAYER == "paplay":
        pytest.skip("paplay needs a sound server, not a card")
    assert (await service.open()).ok
    try:
        assert service.status().state is DeviceState.ONLINE
        assert service.capabilities()["output"] == "card 0 PCH: HDA-Intel - HDA Intel PCH"
        cards.write_text(NO_CARDS)  # the USB sound card was unplugged: the supervisor's probe sees it
        probed = await service.probe()
        assert probed.code is CompletionCode.DEVICE_NOT_READY and probed.error_code is SpeakerError.NO_AUDIO_DEVICE
        assert service.status().state is DeviceState.NO_DEVICE
    finally:
        await service.close()


@needs_player
async def test_a_sound_server_answering_on_its_socket_is_present(tmp_path: Path, server_dir: Path) -> None:
    cards = tmp_path / "no-cards"
    cards.write_text(NO_CARDS)
    service = speaker(PlayerSink(cards_file=cards, runtime_dirs=[server_dir]))
    assert (await service.open()).ok
    try:
        assert service.capabilities()["output"] == f"server {server_dir / 'pulse' / 'native'}"
    finally:
        await service.close()


def test_a_socket_left_by_a_dead_server_is_not_a_server(tmp_path: Path) -> None:
    (tmp_path / "pulse").mkdir()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(tmp_path / "pulse" / "native"))
    stale.close()  # the file stays, nobody listens
    assert (tmp_path / "pulse" / "native").exists()
    assert sound_server([tmp_path]) == ""
    with pytest.raises(DeviceUnavailableError, match="no PulseAudio/PipeWire server answering"):
        find_audio_output("paplay", "default", cards_file=tmp_path / "none", runtime_dirs=[tmp_path])


def test_what_each_player_needs(tmp_path: Path, server_dir: Path) -> None:
    cards = tmp_path / "cards"
    cards.write_text(CARDS)
    nothing = tmp_path / "absent"
    assert find_audio_output("aplay", "hw:0", cards_file=cards, runtime_dirs=[]).startswith("card 0")
    with pytest.raises(DeviceUnavailableError, match="no sound card"):  # a named ALSA device needs a card
        find_audio_output("aplay", "hw:0", cards_file=nothing, runtime_dirs=[server_dir])
    assert find_audio_output("aplay", "default", cards_file=nothing, runtime_dirs=[server_dir]).startswith("server")
    assert find_audio_output("paplay", "default", cards_file=cards, runtime_dirs=[server_dir]).startswith("server")
    with pytest.raises(DeviceUnavailableError):  # a card does not help paplay
        find_audio_output("paplay", "default", cards_file=cards, runtime_dirs=[])


def test_the_cards_file_is_parsed_as_the_kernel_writes_it(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.write_text(CARDS + " 1 [Device         ]: USB-Audio - USB Audio Device\n                      C-Media USB at usb-0000:00:14.0-2\n")
    assert alsa_cards(cards) == ["0 PCH: HDA-Intel - HDA Intel PCH", "1 Device: USB-Audio - USB Audio Device"]
    cards.write_text(NO_CARDS)
    assert alsa_cards(cards) == []
