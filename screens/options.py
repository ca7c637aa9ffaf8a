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
