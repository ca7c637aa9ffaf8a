"""UiOptions: what the screens are told by the config (and by a developer window), without importing Kivy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UiOptions:
    orientation: str = "portrait"
    language: str = "zh_CN"
    elder_font_scale: float = 1.6
    font: str = ""
    lockdown: bool = True
    tech_hold_s: float = 5.0
    hall: str = ""  # the header's hall name (the attract view-model's hall name replaces it once shown)
    terminal_id: str = ""  # the header's 终端编号
