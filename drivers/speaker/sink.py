"""Where synthesized prompts go: a sound device through a player, or WAV files in a directory.

Players are tried in this order: ``aplay`` (ALSA), ``paplay`` (PulseAudio/PipeWire), ``play``
(sox). The WAV goes to the player on stdin, so nothing is written to disk on the way. A player
can be forced with ``player=`` in the device URL (a technician's own command taking WAV on stdin).
``probe`` (run by the service at open and by the supervisor) checks what a found player would play
on (drivers/speaker/probe.py): no sound card and no sound server is ``no_device``, with what was
looked for in the status.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from drivers.speaker.probe import ASOUND_CARDS, find_audio_output
from kiosk.errors import DeviceIOError, DeviceUnavailableError

PLAYERS: dict[str, list[str]] = {
    "aplay": ["aplay", "-q", "-D", "{device}", "-"],
    "paplay": ["paplay", "--device={device}"],
    "play": ["play", "-q", "-t", "wav", "-"],
}


class AudioSink(Protocol):
    def open(self) -> None: ...
    def probe(self) -> str: ...  # → what it plays on; raises DeviceUnavailableError when that is gone
    def play(self, wav: bytes, text: str, check_cancel: Callable[[], float]) -> str: ...  # → where it went
    def close(self) -> None: ...


class PlayerSink:
    """Plays through the first player found (or ``player``) on ALSA/Pulse device ``device``."""

    def __init__(self, device: str = "default", player: str = "", *, cards_file: Path = ASOUND_CARDS,
                 runtime_dirs: Sequence[Path] | None = None) -> None:
        self.device = device or "default"
        self.player = player
        self.command: list[str] = []
        self.env: dict[str, str] | None = None
        self.cards_file, self.runtime_dirs = cards_file, runtime_dirs  # where the probe looks (tests point elsewhere)
        self.output = ""  # what the probe found to play on

    def open(self) -> None:
        if self.player:
            command = shlex.split(self.player)
            if not shutil.which(command[0]):
                raise DeviceUnavailableError(f"player {command[0]} not found")
            self.command = command
            self.output = "player= command (not probed)"
            return
        for name, template in PLAYERS.items():
            if shutil.which(name):
                args = [a.replace("{device}", self.device) for a in template]
                if name == "paplay" and self.device == "default":
                    args = [name]
                if name == "play" and self.device != "default":
                    self.env = {**os.environ, "AUDIODEV": self.device}  # sox picks its device from the environment
                self.command = args
                return
        raise DeviceUnavailableError("no audio player found (install alsa-utils, pulseaudio-utils or sox)")

    def probe(self) -> str:
        if not self.command:
            raise DeviceUnavailableError("player not opened")
        if self.player:
            return self.output
        self.output = find_audio_output(self.command[0], self.device, cards_file=self.cards_file, runtime_dirs=self.runtime_dirs)
        return self.output

    def play(self, wav: bytes, text: str, check_cancel: Callable[[], float]) -> str:
        proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env)
        data: bytes | None = wav
        try:
            while True:  # playback lasts as long as the prompt: poll so a cancel cuts it short
                try:
                    _, err = proc.communicate(data, timeout=max(0.05, min(0.1, check_cancel())))
                    break
                except subprocess.TimeoutExpired:
                    data = None  # already handed over; a retry must not pass it again
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if proc.returncode != 0:
            detail = err.decode(errors="replace").strip().splitlines()
            raise DeviceIOError(f"{self.command[0]} failed ({proc.returncode}): {detail[-1][:200] if detail else 'no detail'}")
        return f"{self.command[0]}:{self.device}"

    def close(self) -> None:
        pass


class WavDirSink:
    """Writes each prompt as ``NNNNNN.wav`` into ``directory`` (kept: the newest ``keep`` files).

    Prompts are fixed instructions, not personal data; still, the directory is bounded so a
    terminal running 7×24 never fills its disk.
    """

    def __init__(self, directory: str | Path, keep: int = 200) -> None:
        self.directory = Path(directory)
        self.keep = keep
        self._lock = threading.Lock()
        self._counter = 0
        self.written: list[tuple[str, Path]] = []  # (text, path) in order, newest last

    def open(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeviceUnavailableError(f"cannot create {self.directory}: {exc.strerror}") from None
        if not os.access(self.directory, os.W_OK):
            raise DeviceUnavailableError(f"{self.directory} is not writable")
        existing = sorted(self.directory.glob("*.wav"))
        self._counter = max((int(p.stem) for p in existing if p.stem.isdigit()), default=0)

    def probe(self) -> str:
        if not (self.directory.is_dir() and os.access(self.directory, os.W_OK)):
            raise DeviceUnavailableError(f"{self.directory} is gone or not writable")
        return str(self.directory)

    def play(self, wav: bytes, text: str, check_cancel: Callable[[], float]) -> str:
        check_cancel()
        with self._lock:
            self._counter += 1
            path = self.directory / f"{self._counter:06d}.wav"
            tmp = path.with_suffix(".part")
            try:
                tmp.write_bytes(wav)
                tmp.replace(path)  # readers never see a half-written file
            except OSError as exc:
                raise DeviceIOError(f"cannot write {path}: {exc.strerror}") from None
            self.written.append((text, path))
            self._prune()
        return str(path)

    def _prune(self) -> None:
        files = sorted(p for p in self.directory.glob("*.wav") if p.stem.isdigit())
        for old in files[: max(0, len(files) - self.keep)]:
            old.unlink(missing_ok=True)
        del self.written[: max(0, len(self.written) - self.keep)]

    def close(self) -> None:
        pass

