"""Form: prefilled fields, validation errors from the flow layer beside each field, and for input either
a picker (choices, 是/否, dates: tapped, never typed) or the on-screen keyboard (pinyin / digits / ID pad
chosen by the flow from the field type, ``FieldVM.keyboard``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import FieldVM, FormVM
from screens.base import BaseScreen, screen
from screens.widgets.masked import MaskedInput, masker_for
from screens.widgets.pickers import PickerBase, editor_for

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


#: Fields that hold a person's name (the item files' ids): the keyboard guesses names there, not words.
PERSON_NAME_FIELDS = frozenset({"name", "child_name", "guardian_name", "deceased_name", "relative_name", "spouse_name",
                                "principal_name", "agent_name", "applicant_name"})


class FieldInput(MaskedInput):
    """A TextInput that never raises the system keyboard; our keyboard types into it. ID, bank card and
    phone numbers show masked with a 显示 button beside them (``screens.widgets.masked``)."""

    def __init__(self, field: FieldVM, owner: FormScreen, **kwargs: Any) -> None:
        super().__init__(masker_for(field.type, field.id), text=field.value, multiline=False, keyboard_mode="managed", **kwargs)
        self.field_id = field.id
        self.owner = owner
        self.update(field)
        self.bind(focus=self._focused)

    def update(self, field: FieldVM) -> None:
        self.keyboard_kind = field.keyboard
        self.readonly = not field.editable
        self.hint_text = field.hint
        self.set_value(field.value)  # the flow's value wins unless the citizen is typing

    def _focused(self, _w: Any, focused: bool) -> None:
        if focused and not self.readonly:
            self.owner.app.keyboard_for(self, self.keyboard_kind, hint="name" if self.field_id in PERSON_NAME_FIELDS else "")

    def on_committed(self, _text: str) -> None:
        self.owner.send(I.SetField(self.field_id, self.value))


class FieldRow(BoxLayout):
    """One field: its label, its editor (picker or text input) and the flow's error under it."""

    def __init__(self, field: FieldVM, owner: FormScreen) -> None:
        super().__init__(orientation="vertical", size_hint_y=None, spacing=6)
        self.bind(minimum_height=self.setter("height"))
        self.field_type = field.type
        self.label = Factory.KLabel(bold=True)
        self.error = Factory.KLabel(bold=True, tone="danger")  # red in both themes, across elder switches
        picker = editor_for(field)
        theme = owner.app.theme
        self.editor: Any = picker(field, owner.set_value, owner.tr) if picker else FieldInput(
            field, owner, size_hint_y=None, height=theme.scale * 64, font_size=theme.font(24))
        self.add_widget(self.label)
        self.reveal_button: Any = None
        if isinstance(self.editor, FieldInput) and self.editor.masker is not None:  # 显示: tap-to-reveal
            line = BoxLayout(size_hint_y=None, height=self.editor.height, spacing=8)
            self.reveal_button = Factory.KGhost(text=owner.tr("显示"), size_hint=(None, None), width=theme.scale * 120, height=self.editor.height)
            self.reveal_button.bind(on_release=lambda _b: self.editor.reveal())
            self.editor.bind(height=line.setter("height"))
            self.editor.bind(height=self.reveal_button.setter("height"))
            line.add_widget(self.editor)
            line.add_widget(self.reveal_button)
            self.add_widget(line)
        else:
            self.add_widget(self.editor)
        self.owner = owner

    def update(self, field: FieldVM) -> None:
        tr = self.owner.tr
        self.label.text = tr(field.label) + ("" if field.required else f"（{tr('选填')}）") + (f" · {tr('已预填')}" if field.prefilled else "")
        if isinstance(self.editor, FieldInput):
            theme = self.owner.app.theme
            self.editor.height, self.editor.font_size = theme.scale * 64, theme.font(24)
        self.editor.update(field)
        if self.reveal_button is not None:
            self.reveal_button.text = tr("显示")
        self.error.text = field.error
        if field.error and self.error.parent is None:
            self.add_widget(self.error)
        elif not field.error and self.error.parent is not None:
            self.remove_widget(self.error)


@screen("form")
class FormScreen(BaseScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: dict[str, FieldRow] = {}
        self.inputs: dict[str, FieldInput] = {}  # text fields (the keyboard types into these)
        self.pickers: dict[str, PickerBase] = {}  # choice / 是否 / date fields (tapped)

    def render(self, vm: FormVM) -> None:  # type: ignore[override]
        super().render(vm)
        rows: dict[str, FieldRow] = {}
        for field in vm.fields:
            row = self.rows.get(field.id)
            if row is None or row.field_type != field.type or (editor_for(field) is None) != isinstance(row.editor, FieldInput):
                row = FieldRow(field, self)
            row.update(field)
            rows[field.id] = row
        self.rows = rows
        self.inputs = {k: r.editor for k, r in rows.items() if isinstance(r.editor, FieldInput)}
        self.pickers = {k: r.editor for k, r in rows.items() if isinstance(r.editor, PickerBase)}
        box = self.ids.fields
        order = [rows[f.id] for f in vm.fields]
        if list(reversed(box.children)) != order:
            box.clear_widgets()
            for row in order:
                box.add_widget(row)

    def on_leave(self, *_args: Any) -> None:
        for field_input in self.inputs.values():  # a revealed number is masked again once the form is left
            field_input.hide()

    def fit_scroll(self) -> None:
        """A form that fits again (a date panel or list closed) goes back to the top: Kivy's ScrollView
        would keep it pushed to the bottom, leaving an empty band under the title."""
        fields = self.ids.fields
        scroll = fields.parent
        if scroll is not None and fields.height <= scroll.height:
            scroll.scroll_y = 1

    def set_value(self, field_id: str, value: str) -> None:
        """A picker's answer. Text being typed elsewhere is committed first, so nothing typed is lost."""
        self.app.hide_keyboard()
        self.send(I.SetField(field_id, value))

    def next(self) -> None:
        self.app.hide_keyboard()
        self.send(I.Next())
