"""Confirm: everything once more (masked personal data), handling mode, delivery, routing note, submit."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import ConfirmVM
from screens.base import BaseScreen, fill_buttons, fill_labels, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
SECTION_TITLES = {"item": "办理信息", "form": "申请信息", "material": "已交材料"}


@screen("confirm")
class ConfirmScreen(BaseScreen):
    def render(self, vm: ConfirmVM) -> None:  # type: ignore[override]
        super().render(vm)
        lines, section = [], None
        for row in vm.rows:
            if row.section and row.section != section:
                section = row.section
                lines.append(f"【{self.tr(SECTION_TITLES.get(row.section, row.section))}】")
            lines.append(f"{row.label}：{row.value}")
        for label, value in ((self.tr("办理时限"), vm.time_limit), (self.tr("收费"), vm.fees),
                             (self.tr("受理"), vm.routing_note)):
            if value:
                lines.append(f"{label}：{value}")
        fill_labels(self.ids.rows, lines)
        mark = lambda chosen, o: ("● " if o.id == chosen else "○ ") + o.label  # noqa: E731
        fill_buttons(self.ids.deliveries, [(mark(vm.delivery, o), partial(self.send, I.Choose("delivery", o.id)))
                                           for o in vm.deliveries], "KGhost")
        fill_buttons(self.ids.modes, [(mark(vm.mode, o), partial(self.send, I.Choose("mode", o.id)))
                                      for o in vm.modes if len(vm.modes) > 1], "KGhost")
