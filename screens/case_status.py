"""Case status (办件查询): scan the receipt QR, read the ID card, or type the 受理编号 on the letters and
digits keyboard; then the cases with their steps."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import CaseStatusVM
from screens.base import BaseScreen, fill_buttons, fill_labels, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
PHASES = {"scan": "请将回执二维码对准扫码区", "idcard": "请将身份证放在感应区"}


@screen("case_status")
class CaseStatusScreen(BaseScreen):
    def render(self, vm: CaseStatusVM) -> None:  # type: ignore[override]
        super().render(vm)
        fill_buttons(self.ids.methods, [(self.tr(o.label), partial(self.send, I.Choose("method", o.id)))
                                        for o in vm.methods] if vm.phase == "choose" else [], "KGhost")
        lines = [self.tr(PHASES[vm.phase])] if vm.phase in PHASES else []
        for case in vm.cases:
            lines.append(f"{case.item_name}  {case.case_number}\n{self.tr('状态')}：{case.status_label}  {case.updated}")
            lines += [f"    {s.label}  {s.value}" for s in case.steps]
        if vm.phase == "result" and not vm.cases:
            lines.append(self.tr("没有查到办件"))
        fill_labels(self.ids.cases, lines)

    def type_number(self) -> None:
        self.app.keyboard_for(self.ids.number, "letters")

    def look_up(self) -> None:
        self.app.hide_keyboard()
        number = self.ids.number.text.strip()
        if number:
            self.send(I.SubmitText(number))

    def session_over(self) -> None:
        self.ids.number.text = ""

    def on_leave(self, *_args: Any) -> None:
        self.ids.number.text = ""
