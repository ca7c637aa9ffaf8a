"""WrapLabel / WrapButton: Kivy's Label and Button with the Chinese line-breaking rules of screens.linebreak.

Kivy wraps a label at ``text_size`` by itself, breaking CJK text at whichever character overflows. Here the
text handed to the core label is broken first, with the core label's own measure (same font, same size), so
Kivy's wrapping never has anything left to do. ``text`` stays what the screen set (tests and the layout checker
read it); the drawn lines are ``drawn_text``. Markup labels are left to Kivy (their tags are not text).
"""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.uix.button import Button
from kivy.uix.label import Label

from screens.linebreak import break_text


class ChineseWrap:
    """Mixin for a Label subclass: breaks ``text`` before every texture render."""

    drawn_text = ""

    def texture_update(self, *largs: Any) -> None:
        label: Any = self
        width = label.text_size[0]
        core = label._label
        if width and label.text and not label.markup and not label.shorten:
            core.resolve_font_name()
            extents = core.get_cached_extents()
            pad = label.padding[0] + label.padding[2] if len(label.padding) == 4 else 2 * label.padding[0]
            broken = break_text(label.text, float(width) - pad, lambda s: float(extents(s)[0]))
            core.text = broken
            self.drawn_text = broken
        else:
            self.drawn_text = label.text
        super().texture_update(*largs)  # type: ignore[misc]


class WrapLabel(ChineseWrap, Label):
    pass


class WrapButton(ChineseWrap, Button):
    pass


Factory.register("WrapLabel", cls=WrapLabel)
Factory.register("WrapButton", cls=WrapButton)
