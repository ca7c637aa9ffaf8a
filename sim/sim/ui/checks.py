"""What the headless demo checks of its own screenshots, so `make demo` fails instead of shipping a bad set:
every screen kind shot in every layout, and no character on a shot screen missing from the font.

The glyph check here is the cmap one (cheap, per screenshot); tests/ui/test_glyphs.py also compares the
rendered pixels with the font's tofu box.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont

#: Every screen kind of screens.app.SCREEN_MODULES (tests/ui checks the two lists agree).
EVERY_SCREEN = ("attract", "home", "identify", "guide", "notice", "form", "materials", "signature", "confirm",
                "progress", "receipt", "evaluate", "case_status", "centres", "faq", "help", "message", "maintenance",
                "complaint", "appointment", "handover")


def kind_of(shot_name: str) -> str:
    """``elder-09-form-filled.png`` → ``form`` (journey prefix, number, kind, optional label)."""
    rest = shot_name.split("-", 2)[2] if shot_name.count("-") >= 2 else shot_name
    rest = rest.removesuffix(".png")
    for kind in sorted(EVERY_SCREEN, key=len, reverse=True):
        if rest == kind or rest.startswith(kind + "-"):
            return kind
    return rest


def missing_screens(shot_names: list[str]) -> list[str]:
    shown = {kind_of(name) for name in shot_names}
    return [kind for kind in EVERY_SCREEN if kind not in shown]


class GlyphCheck:
    """Collects, per screenshot, the characters on screen that the UI font has no glyph for."""

    def __init__(self, font_path: Path) -> None:
        self.cmap = set(TTFont(str(font_path), lazy=True).getBestCmap())
        self.missing: dict[str, list[str]] = {}

    def check(self, name: str, widgets: list[Any]) -> None:
        chars: set[str] = set()
        for root in widgets:
            for widget in root.walk():
                text = getattr(widget, "text", None)
                if isinstance(text, str) and text and getattr(widget, "opacity", 1) > 0:
                    chars |= {c for c in text if not c.isspace()}
        bad = sorted(c for c in chars if ord(c) not in self.cmap)
        if bad:
            self.missing[name] = bad
