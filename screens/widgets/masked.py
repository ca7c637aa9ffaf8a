"""Personal numbers on screen: an ID, bank card or phone number shows masked (``kiosk.privacy``) unless the
citizen is typing it or has tapped 显示; a reveal lasts ``REVEAL_S`` seconds or until the screen is left.

Why in the widget: the flow layer hands the form the real value (the citizen must be able to check and
correct it), so only the widget knows when it is safe to show it — someone behind the citizen should
not read an ID number off a form left on screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.uix.textinput import TextInput

from kiosk.privacy import mask_bank_account, mask_id_number, mask_phone

REVEAL_S = 5.0
MASKERS: dict[str, Callable[[str], str]] = {"id_number": mask_id_number, "bank_account": mask_bank_account, "phone": mask_phone}


def masker_for(field_type: str, field_id: str = "") -> Callable[[str], str] | None:
    """The masker of a field type (or of a field named like one: ``phone``, ``bank_account``)."""
    return MASKERS.get(field_type) or MASKERS.get(field_id)


class MaskedInput(TextInput):
    """A TextInput whose shown text is masked unless the on-screen keyboard types into it (the app calls
    ``begin_typing``/``end_typing``) or the citizen revealed it. ``value`` is the real text: read it,
    never ``text``."""

    text: str

    def __init__(self, masker: Callable[[str], str] | None = None, **kwargs: Any) -> None:
        value = kwargs.pop("text", "")
        super().__init__(**kwargs)
        self.masker = masker
        self.typing = False
        self.revealed = False
        self._value = value
        self._remask: Any = None
        self._display()

    @property
    def value(self) -> str:
        return self.text if self.typing else self._value

    @property
    def masked(self) -> bool:
        """The number is hidden on screen right now."""
        return self.masker is not None and bool(self._value) and not self.typing and not self.revealed

    def set_value(self, value: str) -> None:
        """The flow's value; ignored while the citizen is typing (what they type wins)."""
        if not self.typing:
            self._value = value
            self._display()

    def begin_typing(self) -> None:
        if not self.typing:
            self.typing = True
            self.text = self._value

    def end_typing(self) -> None:
        if self.typing:
            self._value, self.typing = self.text, False
            self._display()

    def reveal(self, seconds: float = REVEAL_S) -> None:
        """Tap-to-reveal: the real number for ``seconds``, then masked again."""
        self.revealed = True
        self._display()
        if self._remask is not None:
            self._remask.cancel()
        self._remask = Clock.schedule_once(lambda _dt: self.hide(), seconds)

    def hide(self) -> None:
        """Masked again (the reveal ran out, or the screen was left)."""
        if self._remask is not None:
            self._remask.cancel()
            self._remask = None
        self.revealed = False
        self._display()

    def _display(self) -> None:
        if self.typing:
            return
        shown = self.masker(self._value) if self.masked and self.masker is not None else self._value
        if self.text != shown:
            self.text = shown
