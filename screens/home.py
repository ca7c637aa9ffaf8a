"""Home: categories, high-frequency items, citizen services, and search that also matches pinyin initials."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import HomeVM
from screens.base import BaseScreen, fill_buttons, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("home")
class HomeScreen(BaseScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._search = Clock.create_trigger(self._send_search, 0.25)

    def render(self, vm: HomeVM) -> None:  # type: ignore[override]
        if self.vm is not None and (vm.query, vm.category) != (self.vm.query, self.vm.category):
            self.ids.body.scroll_y = 1  # new results: show them from the top (they come first in the scroll)
        super().render(vm)
        fill_buttons(self.ids.categories,
                     [(f"{self.tr(c.label)} ({c.count})", partial(self._search_category, c.id))
                      for c in vm.categories], "KGhost")
        shown = vm.results if (vm.query or vm.category) else vm.high_frequency
        fill_buttons(self.ids.item_list, [(e.name, partial(self.send, I.Start(e.code))) for e in shown])
        fill_buttons(self.ids.services, [(self.tr(o.label), partial(self.send, I.OpenService(o.id)))
                                         for o in vm.services], "KGhost")
        if self.ids.query.text != vm.query and not self._search.is_triggered and getattr(self.app.keyboard, "target", None) is not self.ids.query:
            self.ids.query.text = vm.query  # not while the citizen types: an answer to an older search would undo letters

    def on_leave(self, *_args: object) -> None:
        self.ids.body.scroll_y = 1  # the next session starts at the top

    def query_changed(self, text: str) -> None:
        if self.vm is not None and text != self.vm.query:
            self._search()

    def _search_category(self, category: str) -> None:
        """A category button: the query as typed when it is pressed, within that category."""
        self.send(I.Search(self.ids.query.text, category))

    def _send_search(self, _dt: float = 0) -> None:
        self.send(I.Search(self.ids.query.text, self.vm.category if self.vm else None))

    def open_keyboard(self) -> None:
        self.app.keyboard_for(self.ids.query, "letters")
