"""The emulated speaker: the real driver's WAV sink in a private temporary directory.

``sim:speaker`` speaks into it; the demo's developer panel and the tests read ``spoken`` (what
was said, newest last) and the WAV files. The directory is removed when the device closes.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from drivers.speaker.sink import WavDirSink


class SpeakerEmulator(WavDirSink):
    def __init__(self, keep: int = 50) -> None:
        super().__init__(Path(tempfile.mkdtemp(prefix="kiosk-speaker-")), keep)

    @property
    def spoken(self) -> list[str]:
        return [text for text, _ in self.written]

    def last_wav(self) -> Path | None:
        return self.written[-1][1] if self.written else None

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
