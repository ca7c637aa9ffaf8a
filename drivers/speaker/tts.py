"""espeak-ng as the speech engine: text in, a complete WAV out.

Why ``cmn-latn-pinyin`` and not ``cmn``: espeak-ng 1.51's ``cmn`` voice reads many characters
as pinyin spelled out with English digits (欢 → "huan five"; espeak-ng #1236, #1370); the
pinyin variant speaks proper Mandarin. ``-x`` shows the phonemes, and an ``(en)`` switch in them
means a prompt would come out in English — tests check every prompt for it.

Text goes in on stdin (never a shell, never an argument that could look like an option). With
``--stdout`` espeak-ng streams a WAV whose header has no length; ``fix_wav_header`` rewrites it
so every player and the ``wave`` module read the right duration.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import wave
from collections.abc import Callable

from drivers.speaker.lexicon import Lexicon
from kiosk.errors import DeviceIOError, DeviceUnavailableError, InvalidDataError

DEFAULT_VOICE = "cmn-latn-pinyin"
MAX_TEXT = 500  # characters; a prompt is a sentence or two, not a document
ESPEAK = "espeak-ng"


def espeak_path() -> str:
    path = shutil.which(ESPEAK)
    if not path:
        raise DeviceUnavailableError("espeak-ng is not installed (Debian package espeak-ng)")
    return path


def check_text(text: str) -> str:
    """The prompt, stripped; empty, overlong or control-character text is refused."""
    text = text.strip()
    if not text:
        raise InvalidDataError("nothing to say")
    if len(text) > MAX_TEXT:
        raise InvalidDataError(f"prompt of {len(text)} characters exceeds {MAX_TEXT}")
    if any(ord(ch) < 0x20 and ch not in "\n\t" for ch in text):
        raise InvalidDataError("prompt contains control characters")
    return text


def has_voice(voice: str) -> bool:
    """True if espeak-ng knows ``voice`` (checked once at open, so a typo fails early)."""
    out = subprocess.run([espeak_path(), f"--voices={voice.split('-')[0]}"], capture_output=True, text=True, timeout=5)
    return any(line.split()[1:2] == [voice] for line in out.stdout.splitlines()[1:])


def run_espeak(args: list[str], text: str, check_cancel: Callable[[], float]) -> bytes:
    """Run espeak-ng with ``text`` on stdin; ``check_cancel()`` raises to stop, returns seconds left."""
    proc = subprocess.Popen([espeak_path(), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    data: bytes | None = text.encode("utf-8")
    try:
        while True:  # short slices so a cancel reaches us; retrying communicate() loses no output
            try:
                out, err = proc.communicate(data, timeout=max(0.05, min(0.2, check_cancel())))
                break
            except subprocess.TimeoutExpired:
                data = None  # the input is already on its way; a retry must not pass it again
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        raise DeviceIOError(f"espeak-ng failed ({proc.returncode}): {err.decode(errors='replace').strip()[:200]}")
    return out


def synthesize(text: str, check_cancel: Callable[[], float], voice: str = DEFAULT_VOICE, speed: int = 160,
               lexicon: Lexicon | None = None) -> bytes:
    """A complete WAV of ``text`` spoken by ``voice`` at ``speed`` words per minute (polyphones by ``lexicon``)."""
    raw = run_espeak(["-v", voice, "-s", str(speed), "--stdout"], _spoken(text, lexicon), check_cancel)
    return fix_wav_header(raw)


def phonemes(text: str, voice: str = DEFAULT_VOICE, lexicon: Lexicon | None = None) -> str:
    """espeak-ng's phoneme mnemonics for ``text`` (``-q -x``): how it will pronounce it."""
    return run_espeak(["-q", "-x", "-v", voice], _spoken(text, lexicon), lambda: 5.0).decode("utf-8", "replace")


def _spoken(text: str, lexicon: Lexicon | None) -> str:
    """The checked prompt as espeak-ng gets it: the lexicon's pinyin in place of its words."""
    text = check_text(text)
    return lexicon.apply(text) if lexicon is not None else text


def fix_wav_header(raw: bytes) -> bytes:
    """Rewrite a streamed WAV (sizes unknown) as a regular one with correct chunk sizes."""
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise DeviceIOError("espeak-ng did not produce a WAV stream")
    pos, fmt, pcm = 12, None, b""
    while pos + 8 <= len(raw):
        chunk, size = raw[pos : pos + 4], struct.unpack("<I", raw[pos + 4 : pos + 8])[0]
        body = pos + 8
        if chunk == b"fmt ":
            fmt = struct.unpack("<HHIIHH", raw[body : body + 16])
        elif chunk == b"data":
            pcm = raw[body:]  # streamed: the size field is a placeholder, the data runs to the end
            break
        pos = body + size + (size & 1)
    if fmt is None:
        raise DeviceIOError("espeak-ng WAV has no format chunk")
    _tag, channels, rate, _byte_rate, _align, bits = fmt
    frame = channels * bits // 8
    pcm = pcm[: len(pcm) - len(pcm) % frame]
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(bits // 8)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return out.getvalue()


def wav_duration(data: bytes) -> float:
    """Seconds of audio in a WAV."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())
