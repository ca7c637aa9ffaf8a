"""一次性告知: the situation and its exact material list; print it and stop, or go on to apply."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from kiosk.flows.viewmodels import NoticeVM
from screens.base import BaseScreen, fill_labels, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("notice")
class NoticeScreen(BaseScreen):
    def render(self, vm: NoticeVM) -> None:  # type: ignore[override]
        super().render(vm)
        lines = [f"· {r.label}" + (f"（{r.value}）" if r.value else "") for r in vm.materials]
        lines += [f"{self.tr('办理条件')}：{c}" for c in vm.conditions]
        if vm.time_limit:
            lines.append(f"{self.tr('办理时限')}：{vm.time_limit}")
        if vm.fees:
            lines.append(f"{self.tr('收费')}：{vm.fees}")
        fill_labels(self.ids.lines, lines)
