"""FAQ (政策问答): a question typed on the on-screen keyboard, the hits with their sources."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import FaqVM
from screens.base import BaseScreen, fill_buttons, fill_labels, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("faq")
class FaqScreen(BaseScreen):
    def render(self, vm: FaqVM) -> None:  # type: ignore[override]
        super().render(vm)
        if self.ids.query.text != vm.query and not self.ids.query.focus:
            self.ids.query.text = vm.query
        fill_buttons(self.ids.suggestions, [(s, partial(self.send, I.SubmitText(s))) for s in vm.suggestions], "KGhost")
        fill_labels(self.ids.hits, [f"问：{h.question}\n答：{h.answer}" + (f"\n（{self.tr('来源')}：{h.source}）" if h.source else "")
                                    for h in vm.hits])

    def open_keyboard(self) -> None:
        self.ids.query.on_committed = self.ask
        self.app.keyboard_for(self.ids.query, "pinyin")

    def ask(self, text: str) -> Any:
        if text.strip():
            self.send(I.SubmitText(text.strip()))
