"""好差评: five levels from 非常不满意 to 非常满意; a comment for the two lowest (optional)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import EvaluateVM
from screens.base import BaseScreen, fill_buttons, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("evaluate")
class EvaluateScreen(BaseScreen):
    def render(self, vm: EvaluateVM) -> None:  # type: ignore[override]
        super().render(vm)
        fill_buttons(self.ids.levels, [(("★" * int(o.id)) + "  " + self.tr(o.label),
                                        partial(self.send, I.Evaluate(int(o.id))))
                                       for o in reversed(vm.levels)] if not vm.submitted else [], "KGhost")
