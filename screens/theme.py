"""Look and feel: the CJK font registered at start-up, sizes that scale in elder mode, high contrast.

One ``Theme`` instance hangs off the app; .kv rules bind to ``app.theme.*`` so switching elder mode
re-lays out every visible widget without any screen knowing about it.
"""

from __future__ import annotations

from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.event import EventDispatcher
from kivy.metrics import sp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.errors import ConfigError
from kiosk.fonts import FontChoice, find_cjk_font

NORMAL = {"bg": (0.95, 0.96, 0.98, 1), "fg": (0.10, 0.12, 0.16, 1), "primary": (0.06, 0.36, 0.75, 1),
          "primary_text": (1, 1, 1, 1), "card": (1, 1, 1, 1), "muted": (0.40, 0.44, 0.50, 1),
          "danger": (0.78, 0.16, 0.14, 1), "accent": (0.95, 0.55, 0.10, 1)}
CONTRAST = {"bg": (0, 0, 0, 1), "fg": (1, 1, 1, 1), "primary": (1, 0.85, 0, 1), "primary_text": (0, 0, 0, 1),
            "card": (0.12, 0.12, 0.12, 1), "muted": (0.85, 0.85, 0.85, 1), "danger": (1, 0.4, 0.3, 1),
            "accent": (0.3, 0.9, 1, 1)}


def register_font(preferred: str = "") -> FontChoice:
    """Make the CJK font Kivy's default font; a clear error (for ``kiosk doctor`` too) when none exists."""
    choice = find_cjk_font(preferred)
    if choice is None:
        raise ConfigError("no CJK font found: install fonts-noto-cjk (or set ui.font to a .ttf/.otf)")
    LabelBase.register(name=DEFAULT_FONT, fn_regular=str(choice.path))
    LabelBase.register(name="KioskCJK", fn_regular=str(choice.path))
    return choice


#: The kv "tone" of a KButton: (fill colour, text colour) names in the palette or LITERAL.
BUTTON_TONES = {"primary": ("primary", "primary_text"), "ghost": ("card", "fg"), "danger": ("danger", "white"),
                "help": ("accent", "black")}
LITERAL = {"white": (1.0, 1.0, 1.0, 1.0), "black": (0.0, 0.0, 0.0, 1.0)}


class Theme(EventDispatcher):
    """Colours reach the shared widget classes through ``revision``: a rule like KGhost's text colour used to
    bind both ``primary_text`` (inherited from KButton) and ``fg`` (its own), and whichever property was set
    last won — in elder mode the ghost buttons' text came out black on dark grey. Class rules now read
    ``colour(tone, revision)`` and are evaluated once per switch, after the whole palette has changed."""

    elder = BooleanProperty(False)
    revision = NumericProperty(0)
    elder_scale = NumericProperty(1.6)
    scale = NumericProperty(1.0)
    portrait = BooleanProperty(True)
    font_path = StringProperty("")
    bg = ListProperty(NORMAL["bg"])
    fg = ListProperty(NORMAL["fg"])
    primary = ListProperty(NORMAL["primary"])
    primary_text = ListProperty(NORMAL["primary_text"])
    card = ListProperty(NORMAL["card"])
    muted = ListProperty(NORMAL["muted"])
    danger = ListProperty(NORMAL["danger"])
    accent = ListProperty(NORMAL["accent"])

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.palette: dict[str, tuple[float, ...]] = dict(NORMAL)

    def on_elder(self, _instance: object, value: bool) -> None:
        self.scale = self.elder_scale if value else 1.0
        self.palette = dict(CONTRAST if value else NORMAL)
        self.revision += 1  # class rules (tones) first …
        for name, colour in self.palette.items():  # … then per-widget rules that bind a colour directly win
            setattr(self, name, colour)

    def colour(self, name: str, _revision: float = 0) -> tuple[float, ...]:
        """A palette colour by name; kv passes ``app.theme.revision`` so the rule re-evaluates on a switch."""
        return LITERAL.get(name) or self.palette[name]

    def button_fill(self, tone: str, _revision: float = 0) -> tuple[float, ...]:
        return self.colour(BUTTON_TONES[tone][0])

    def button_text(self, tone: str, _revision: float = 0) -> tuple[float, ...]:
        return self.colour(BUTTON_TONES[tone][1])

    def font(self, size: float) -> float:
        """A font size in sp, scaled for elder mode (use as ``app.theme.scale * sp(n)`` in kv to bind)."""
        return sp(size) * self.scale
