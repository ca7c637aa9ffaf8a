"""Options of the speaker factories (espeak-ng voice prompts); units in the names."""

from __future__ import annotations

from pydantic import AliasChoices, ConfigDict, Field

from kiosk.terminal.options import DeviceOptions

DEFAULT_VOICE = "cmn-latn-pinyin"  # = drivers.speaker.tts.DEFAULT_VOICE (this module imports no TTS code)


class VoiceOptions(DeviceOptions):
    model_config = ConfigDict(populate_by_name=True)  # the field name and its old alias both read

    voice: str = Field(DEFAULT_VOICE, min_length=1, description="espeak-ng voice")
    rate_wpm: int = Field(default=160, ge=80, le=450, validation_alias=AliasChoices("rate_wpm", "speed"),
                          description="speaking rate in words per minute (espeak-ng -s); 'speed' is the old name")
    lexicon: str = Field("", description="site pronunciation file ([words] \"词\" = \"ci2\") added to the packaged lexicon")


class EspeakOptions(VoiceOptions):
    """``espeak:default?player=aplay%20-D%20hw:1&rate_wpm=150``: prompts played on a sound device."""

    player: str = Field("", description="player command line; empty: the first found of pw-play, paplay, aplay")


class WavOptions(VoiceOptions):
    """``wav:///var/lib/kiosk/prompts?keep_files=200``: prompts written as numbered WAV files."""

    model_config = ConfigDict(populate_by_name=True)

    keep_files: int = Field(default=200, ge=1, validation_alias=AliasChoices("keep_files", "keep"),
                            description="newest files kept; 'keep' is the old name")
