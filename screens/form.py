"""Form: prefilled fields, validation errors from the flow layer, the on-screen keyboard for input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.uix.textinput import TextInput

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import FieldVM, FormVM
from screens.base import BaseScreen, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class FieldInput(TextInput):
    """A TextInput that never raises the system keyboard; our keyboard types into it."""

    def __init__(self, field: FieldVM, owner: "FormScreen", **kwargs: Any) -> None:
        super().__init__(text=field.value, multiline=False, keyboard_mode="managed", **kwargs)
        self.field_id = field.id
        self.keyboard_kind = field.keyboard
        self.owner = owner
        self.readonly = not field.editable
        self.bind(focus=self._focused)

    def _focused(self, _w: Any, focused: bool) -> None:
        if focused and not self.readonly:
            self.owner.app.keyboard_for(self, self.keyboard_kind)

    def on_committed(self, text: str) -> None:
        self.owner.send(I.SetField(self.field_id, text))


@screen("form")
class FormScreen(BaseScreen):
    def render(self, vm: FormVM) -> None:  # type: ignore[override]
        super().render(vm)
        box = self.ids.fields
        keep = {w.field_id: w for w in box.children if isinstance(w, FieldInput)}
        box.clear_widgets()
        self.inputs: dict[str, FieldInput] = {}
        for field in vm.fields:
            label = field.label + ("" if field.required else f"（{self.tr('选填')}）") + (f" · {self.tr('已预填')}" if field.prefilled else "")
            box.add_widget(Factory.KLabel(text=label))
            widget = keep.get(field.id)
            if widget is None or widget.text != field.value and not widget.focus:
                widget = FieldInput(field, self, size_hint_y=None, height=self.app.theme.scale * 64,
                                    font_size=self.app.theme.font(24), hint_text=field.hint)
            self.inputs[field.id] = widget
            box.add_widget(widget)
            if field.error:
                box.add_widget(Factory.KLabel(text=field.error, color=self.app.theme.danger))

    def next(self) -> None:
        self.app.hide_keyboard()
        self.send(I.Next())
