"""Guide questions: one question at a time, big options, the answers so far, progress dots."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import GuideVM
from screens.base import BaseScreen, fill_buttons, fill_labels, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("guide")
class GuideScreen(BaseScreen):
    def render(self, vm: GuideVM) -> None:  # type: ignore[override]
        super().render(vm)
        fill_buttons(self.ids.options, [(o.label + (f"\n{o.detail}" if o.detail else ""),
                                         partial(self.send, I.Answer(vm.question_id, o.id))) for o in vm.options])
        fill_labels(self.ids.chosen, [f"{row.label}：{row.value}" for row in vm.chosen], "KMuted")
