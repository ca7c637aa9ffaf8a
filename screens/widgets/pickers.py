"""Form pickers for a touch screen: nothing here needs typing.

Why: an elderly citizen at the terminal should tap, not type, wherever the item offers a fixed set of
answers. ``select``/``district`` fields become big choice buttons (a long list opens an inline grid),
``multiselect`` becomes toggle buttons, ``checkbox`` a large 是/否 toggle and ``date`` a
year/month/day stepper panel. Each editor reports its value through ``on_value(field_id, value)``,
which the form screen turns into the flow's ``SetField``; validation stays in the flow layer.

Editors are kept across renders (keyed by field id by the form screen) so an open date panel and
its unsaved steps survive a re-published view-model; ``update(field)`` takes the new snapshot.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows.viewmodels import FieldVM, Option

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

OnValue = Callable[[str, str], None]
LONG_LIST = 8  # more options than this: one button opens an inline grid instead of a button per option
YEAR_MIN = 1900


def mark(selected: bool, label: str) -> str:
    return ("● " if selected else "○ ") + label


def layout() -> tuple[bool, bool, str]:
    """(portrait, elder, language) of the running app: grids and texts are rebuilt when one changes."""
    from kivy.app import App

    app = App.get_running_app()
    theme = getattr(app, "theme", None)
    if theme is None:
        return True, False, ""
    return bool(theme.portrait), bool(theme.elder), str(getattr(app, "language", ""))


def columns(long_list: bool) -> int:
    portrait, elder, _language = layout()
    if long_list:
        return (4 if portrait else 6) - (1 if elder else 0)
    return 2 if portrait else 3


class PickerBase(BoxLayout):
    """Common plumbing: the field id, the callback, and (re)building buttons only when they change."""

    def __init__(self, field: FieldVM, on_value: OnValue, tr: Callable[[str], str] = str, **kwargs: Any) -> None:
        super().__init__(orientation="vertical", size_hint_y=None, spacing=8, **kwargs)
        self.bind(minimum_height=self.setter("height"))
        self.field_id = field.id
        self.field_type = field.type
        self.on_value = on_value
        self.tr = tr
        self.field = field
        self._built: object = None
        self.buttons: dict[str, Any] = {}  # option id → button (tests and the demo tap these)
        self.update(field)

    def update(self, field: FieldVM) -> None:
        self.field = field
        self.disabled = not field.editable

    def reveal(self, *_args: Any) -> None:
        """Scroll the form so an opened list or date panel is in view (it may open below the fold)."""
        from kivy.uix.scrollview import ScrollView

        scroll = self.parent
        while scroll is not None and not isinstance(scroll, ScrollView) and scroll is not scroll.parent:
            scroll = scroll.parent
        if isinstance(scroll, ScrollView) and scroll.children and scroll.children[0].height > scroll.height:
            scroll.scroll_to(self, padding=10, animate=False)

    def _grid(self, container: Any, options: tuple[Option, ...], chosen: set[str], on_tap: Callable[[str], None]) -> None:
        """One big button per option; the chosen ones drawn as primary buttons with a filled mark."""
        container.clear_widgets()
        self.buttons = {}
        for option in options:
            selected = option.id in chosen
            button = (Factory.KButton if selected else Factory.KGhost)(text=mark(selected, self.tr(option.label)))
            button.option_id = option.id
            button.bind(on_release=lambda b: on_tap(b.option_id))
            container.add_widget(button)
            self.buttons[option.id] = button


class ChoicePicker(PickerBase):
    """select / district: a button per option, or for a long list one button that opens the option grid."""

    expanded = BooleanProperty(False)

    def update(self, field: FieldVM) -> None:
        super().update(field)
        key = (field.options, field.value, self.expanded, layout())
        if key == self._built:
            return
        self._built = key
        self.clear_widgets()
        long_list = len(field.options) > LONG_LIST
        if long_list:
            chosen = next((o.label for o in field.options if o.id == field.value), "")
            hint = self.tr("（点击收起）") if self.expanded else self.tr("（点击更改）")
            opener = Factory.KGhost(text=(mark(True, self.tr(chosen)) + "  " + hint) if chosen
                                    else self.tr("请点击选择") + self.tr(field.label))
            opener.bind(on_release=lambda _b: self.toggle())
            self.opener = opener
            self.add_widget(opener)
            if not self.expanded:
                self.buttons = {}
                return
        grid = Factory.PickerGrid(cols=columns(long_list))
        self.add_widget(grid)
        self._grid(grid, field.options, {field.value}, self.choose)

    def toggle(self) -> None:
        self.expanded = not self.expanded
        self.update(self.field)
        if self.expanded:
            Clock.schedule_once(self.reveal, 0.05)  # once the grid has its height

    def choose(self, option_id: str) -> None:
        self.expanded = False
        self.on_value(self.field_id, option_id)


class MultiPicker(PickerBase):
    """multiselect: toggle buttons; the value is the chosen option ids, comma-joined in option order."""

    def update(self, field: FieldVM) -> None:
        super().update(field)
        key = (field.options, field.value, layout())
        if key == self._built:
            return
        self._built = key
        self.clear_widgets()
        grid = Factory.PickerGrid(cols=columns(False))
        self.add_widget(grid)
        self._grid(grid, field.options, self.chosen(), self.flip)

    def chosen(self) -> set[str]:
        return {v for v in self.field.value.split(",") if v}

    def flip(self, option_id: str) -> None:
        chosen = self.chosen() ^ {option_id}
        self.on_value(self.field_id, ",".join(o.id for o in self.field.options if o.id in chosen))


class TogglePicker(PickerBase):
    """checkbox: a large two-way toggle (是 / 否 from the flow's options); unanswered shows neither."""

    def update(self, field: FieldVM) -> None:
        super().update(field)
        options = field.options or (Option("true", "是"), Option("false", "否"))
        key = (options, field.value, layout())
        if key == self._built:
            return
        self._built = key
        self.clear_widgets()
        row = Factory.PickerGrid(cols=len(options))
        self.add_widget(row)
        self._grid(row, options, {field.value}, lambda v: self.on_value(self.field_id, v))


class DatePanel(BoxLayout):
    """The steppers under an open date field (layout in pickers.kv); ``picker`` owns the draft date."""

    picker = ObjectProperty(None, allownone=True)


class DatePicker(PickerBase):
    """date: the chosen date on a big button; tapping it opens year/month/day steppers (no typing).

    The day is kept within the month while stepping (no 2月30日 can be made); whether a date is
    allowed (e.g. not in the future) is the flow's decision, shown as the field's error.
    """

    expanded = BooleanProperty(False)
    year = NumericProperty(2000)
    month = NumericProperty(1)
    day = NumericProperty(1)
    shown = StringProperty("")

    def __init__(self, field: FieldVM, on_value: OnValue, tr: Callable[[str], str] = str,
                 today: Callable[[], dt.date] = dt.date.today, **kwargs: Any) -> None:
        self.today = today
        self.panel: Any = None
        self._value: str | None = None  # the field value the draft was last read from
        super().__init__(field, on_value, tr, **kwargs)

    def update(self, field: FieldVM) -> None:
        super().update(field)
        parsed = parse(field.value)
        self.shown = f"{parsed.year}年{parsed.month}月{parsed.day}日" if parsed else ""
        if field.value != self._value and not self.expanded:
            self._value = field.value
            self.draft(parsed or self.today())
        key = (field.value, self.expanded, layout())
        if key == self._built:
            return
        self._built = key
        self.clear_widgets()
        self.opener = Factory.KGhost(text=(self.shown + "  " + self.tr("（点击更改）")) if self.shown
                                     else self.tr("请点击选择日期"))
        self.opener.bind(on_release=lambda _b: self.toggle())
        self.add_widget(self.opener)
        if self.expanded:
            if self.panel is None:
                self.panel = DatePanel(picker=self)
            self.add_widget(self.panel)

    def draft(self, day: dt.date) -> None:
        self.year, self.month, self.day = day.year, day.month, day.day

    def toggle(self) -> None:
        self.expanded = not self.expanded
        self.update(self.field)
        if self.expanded:
            Clock.schedule_once(self.reveal, 0.05)  # once the grid has its height

    def step(self, part: str, delta: int) -> None:
        """One tap on a ＋/－ button; months wrap, the day stays within the month."""
        year, month, day = int(self.year), int(self.month), int(self.day)
        if part == "year":
            year = min(max(YEAR_MIN, year + delta), self.today().year + 50)
        elif part == "month":
            month = (month - 1 + delta) % 12 + 1
        else:
            day = (day - 1 + delta) % calendar.monthrange(year, month)[1] + 1
        self.year, self.month = year, month
        self.day = min(day, calendar.monthrange(year, month)[1])

    def pick_today(self) -> None:
        self.draft(self.today())

    def value(self) -> str:
        return f"{int(self.year):04d}-{int(self.month):02d}-{int(self.day):02d}"

    def confirm(self) -> None:
        value = self.value()
        self.expanded = False
        self.update(self.field)  # closed at once; the flow's echo then shows the value it kept
        self._value = None  # …and the draft is re-read from that value
        self.on_value(self.field_id, value)

    def cancel(self) -> None:
        self.expanded = False
        self._value = None
        self.update(self.field)


def parse(value: str) -> dt.date | None:
    from kiosk.flows.validation import parse_date

    return parse_date(value) if value else None


EDITORS: dict[str, type[PickerBase]] = {"select": ChoicePicker, "district": ChoicePicker, "multiselect": MultiPicker,
                                         "checkbox": TogglePicker, "date": DatePicker}


def editor_for(field: FieldVM) -> type[PickerBase] | None:
    """The picker for this field's type; None: a text field typed on the on-screen keyboard.

    A ``select`` without options (a misconfigured item) falls back to typing rather than showing nothing.
    """
    if field.type in ("select", "district", "multiselect") and not field.options:
        return None
    return EDITORS.get(field.type)
