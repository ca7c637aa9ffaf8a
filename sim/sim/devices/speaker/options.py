"""Options of ``sim:speaker``: the real voice settings (the emulator has none of its own)."""

from __future__ import annotations

from drivers.speaker.options import VoiceOptions


class SimSpeakerOptions(VoiceOptions):
    """``sim:speaker``: the real driver writing WAVs into the emulator's temp dir."""
