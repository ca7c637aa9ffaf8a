"""Is there anything to play on? The sound sink probed at open, so a silent terminal is ``no_device``.

Without this, a player binary on the PATH was enough to call the speaker online, and the first
citizen's prompt failed instead (``aplay: no soundcards found``). What each player needs:

- ``aplay`` (ALSA): a card in ``/proc/asound/cards`` — or, for the ``default``/``pulse``/``pipewire``
  device, a running sound server (ALSA's plugin hands the sound to it);
- ``paplay`` / ``pw-play``: a PulseAudio or PipeWire server answering on its socket
  (``/run/user/UID/pulse/native``, ``/run/user/UID/pipewire-0``, system-wide ``/run/pulse/native``);
- ``play`` (sox): either.

A socket file is not enough: a server that died leaves it behind, so the probe connects (and
hangs up at once). A technician's own ``player=`` command is trusted: its failures show at the
first prompt, as a hardware error naming it.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Sequence
from pathlib import Path

from kiosk.errors import DeviceUnavailableError
from kiosk.terminal.error_codes import SpeakerError

ASOUND_CARDS = Path("/proc/asound/cards")
SERVER_SOCKETS = ("pipewire-0", "pulse/native")
SERVER_DEVICES = frozenset({"default", "pulse", "pipewire"})
_CARD_LINE = re.compile(r"^\s*\d+\s+\[(?P<id>[^\]]*)\]\s*:\s*(?P<what>.*)$")


class NoAudioDevice(DeviceUnavailableError):
    """Nothing to play on: no sound card, no sound server."""

    error_code = SpeakerError.NO_AUDIO_DEVICE


def default_runtime_dirs() -> tuple[Path, ...]:
    """Where this user's and the system-wide sound servers put their sockets."""
    return (Path(f"/run/user/{os.getuid()}"), Path("/run"))


def alsa_cards(cards_file: Path = ASOUND_CARDS) -> list[str]:
    """The ALSA cards the kernel lists (``"0 PCH: HDA-Intel - HDA Intel PCH"``); none without ALSA."""
    try:
        text = cards_file.read_text(errors="replace")
    except OSError:
        return []
    cards = []
    for line in text.splitlines():
        found = _CARD_LINE.match(line)
        if found:
            cards.append(f"{line.split()[0]} {found['id'].strip()}: {found['what'].strip()}")
    return cards


def sound_server(runtime_dirs: Sequence[Path]) -> str:
    """The socket of a PulseAudio/PipeWire server that accepts a connection ('' if none)."""
    for directory in runtime_dirs:
        for name in SERVER_SOCKETS:
            path = directory / name
            if not path.exists():
                continue
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(0.5)
                try:
                    probe.connect(str(path))
                except OSError:
                    continue  # a socket left behind by a server that is gone
            return str(path)
    return ""


def find_audio_output(player: str, device: str, *, cards_file: Path = ASOUND_CARDS,
                      runtime_dirs: Sequence[Path] | None = None) -> str:
    """What ``player`` would play on ('card 0 PCH: …', 'server /run/user/0/pulse/native'); NoAudioDevice if nothing."""
    dirs = tuple(runtime_dirs) if runtime_dirs is not None else default_runtime_dirs()
    wants_card = player in ("aplay", "play")
    wants_server = player in ("paplay", "pw-play", "play") or (player == "aplay" and device in SERVER_DEVICES)
    cards = alsa_cards(cards_file) if wants_card else []
    if cards:
        return f"card {cards[0]}"
    server = sound_server(dirs) if wants_server else ""
    if server:
        return f"server {server}"
    looked = []
    if wants_card:
        looked.append(f"no sound card in {cards_file}")
    if wants_server:
        looked.append(f"no PulseAudio/PipeWire server answering in {', '.join(str(d) for d in dirs)}")
    raise NoAudioDevice(f"{player}: nothing to play on ({'; '.join(looked)})")
