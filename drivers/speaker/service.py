"""Speaker service: voice prompts through espeak-ng.

    speaker = "espeak:default"                       play on the default ALSA/Pulse device
    speaker = "espeak:default?player=aplay%20-D%20hw:1&speed=150"
    speaker = "wav:///var/lib/kiosk/prompts"          write WAV files instead (a silent terminal)
    speaker = "sim:speaker"                           WAV files in a private temp dir (emulator)

Options: ``voice`` (default ``cmn-latn-pinyin``), ``speed`` (words per minute, default 160),
``lexicon`` (a site file adding polyphone readings to the packaged ones, drivers/speaker/lexicon.py).
Prompts are logged by length only: a prompt may name the citizen (e.g. 张先生，请取卡).
"""

from __future__ import annotations

import logging
from typing import Any

from drivers.speaker.lexicon import Lexicon, reads_pinyin
from drivers.speaker.options import EspeakOptions, VoiceOptions, WavOptions
from drivers.speaker.sink import AudioSink, PlayerSink, WavDirSink
from drivers.speaker.tts import DEFAULT_VOICE, check_text, espeak_path, has_voice, synthesize, wav_duration
from kiosk.errors import ConfigError, DeviceUnavailableError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion
from kiosk.terminal.device import DeviceService
from kiosk.terminal.events import EventBus
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass

log = logging.getLogger(__name__)


class SpeakerService(DeviceService):
    device_class = DeviceClass.SPEAKER
    emulator: Any = None

    def __init__(self, name: str, bus: EventBus, sink: AudioSink, *, voice: str = DEFAULT_VOICE, speed: int = 160,
                 lexicon: Lexicon | None = None, **kw: Any) -> None:
        super().__init__(name, bus, **kw)
        self.sink = sink
        self.voice = voice
        self.speed = speed
        # pinyin substitution only helps a voice that reads pinyin (plain cmn would say it in English)
        self.output = ""  # what the sink plays on, as its probe found it
        self.lexicon = (lexicon if lexicon is not None else Lexicon.packaged()) if reads_pinyin(voice) else None

    def capabilities(self) -> dict[str, Any]:
        return {"voice": self.voice, "speed_wpm": self.speed, "sink": type(self.sink).__name__, "output": self.output,
                "lexicon_words": len(self.lexicon) if self.lexicon is not None else 0}

    async def speak(self, text: str, timeout: float | None = None) -> Completion[None]:
        """Say ``text``; returns when it has been played (or written). Cancel stops playback."""
        return await self._execute("speak", lambda token: self._do_speak(token, text), timeout)

    def _do_open(self, token: CancelToken) -> None:
        espeak_path()
        if not has_voice(self.voice):
            raise DeviceUnavailableError(f"espeak-ng has no voice {self.voice!r}")
        self.sink.open()
        self.output = self.sink.probe()  # no card, no sound server: NoAudioDevice → no_device, saying what was looked for

    def _do_close(self) -> None:
        self.sink.close()

    def _do_probe(self, token: CancelToken) -> None:
        """The sound card or server is still there (a USB speaker unplugged, the sound server stopped → no_device)."""
        self.output = self.sink.probe()

    def _do_speak(self, token: CancelToken, text: str) -> Completion[None]:
        def check() -> float:
            token.check()
            return token.remaining()

        text = check_text(text)
        wav = synthesize(text, check, self.voice, self.speed, self.lexicon)
        seconds = wav_duration(wav)
        where = self.sink.play(wav, text, check)
        log.info("speaker %s: %d characters, %.1f s of audio → %s", self.name, len(text), seconds, where)
        return Completion.success(None, "spoken", audio_s=round(seconds, 2), output=where)


def voice_kwargs(spec: DeviceSpec, opts: VoiceOptions) -> dict[str, Any]:
    return {"voice": opts.voice, "speed": opts.rate_wpm, "lexicon": Lexicon.load(opts.lexicon), "default_timeout": spec.timeout_s}


@takes_options(EspeakOptions)
def build_espeak(spec: DeviceSpec, bus: EventBus) -> SpeakerService:
    opts = options_for(spec, EspeakOptions)
    device = spec.url.target or spec.url.host or "default"
    return SpeakerService(spec.name, bus, PlayerSink(device, opts.player), **voice_kwargs(spec, opts))


@takes_options(WavOptions)
def build_wav(spec: DeviceSpec, bus: EventBus) -> SpeakerService:
    opts = options_for(spec, WavOptions)
    if not spec.url.target:
        raise ConfigError(f"devices.{spec.name}: {spec.url.raw}: no directory (e.g. wav:///var/lib/kiosk/prompts)")
    return SpeakerService(spec.name, bus, WavDirSink(spec.url.target, opts.keep_files), **voice_kwargs(spec, opts))
