"""预约取号: the centre, then the day and the time (or 现场取号 now), a confirmation before anything is
booked, then the ticket as printed by the receipt printer (number, centre, time)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import AppointmentVM, Option
from screens.base import BaseScreen, fill_buttons, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("appointment")
class AppointmentScreen(BaseScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pending: Option | None = None  # the slot tapped, waiting for 确认

    @property
    def step(self) -> str:
        vm = self.vm
        if vm is None or not vm.centre:
            return "centre"
        return "ticket" if vm.ticket is not None else "slot"

    def render(self, vm: AppointmentVM) -> None:  # type: ignore[override]
        super().render(vm)
        self.ask(None)
        step = self.step
        mark = lambda chosen, o: ("● " if o.id == chosen else "○ ") + o.label  # noqa: E731
        fill_buttons(self.ids.centres, [(f"{self.tr(o.label)}  {o.detail}", partial(self.send, I.Choose("centre", o.id)))
                                        for o in vm.centres] if step == "centre" else [], "KGhost")
        fill_buttons(self.ids.days, [(mark(vm.day, o), partial(self.send, I.Choose("day", o.id)))
                                     for o in vm.days] if step == "slot" else [], "KGhost")
        fill_buttons(self.ids.slots, [(self.tr(o.label) + (f"  {o.detail}" if o.detail else ""), partial(self.ask, o))
                                      for o in vm.slots] if step == "slot" else [], "KGhost")

    def centre_name(self) -> str:
        vm = self.vm
        return next((o.label for o in vm.centres if o.id == vm.centre), "") if vm else ""

    def ask(self, slot: Option | None) -> None:
        """A slot tapped: 确认 before the platform books it (None: the question closes)."""
        self.pending = slot
        box = self.ids.confirm
        box.opacity = 1 if slot else 0
        box.disabled = slot is None
        if slot is not None:
            what = self.tr("现场取号") if slot.id == "now" else self.tr("预约") + " " + slot.label
            self.ids.question.text = f"{self.centre_name()}\n{what}"

    def confirm(self) -> None:
        if self.pending is not None:
            slot, self.pending = self.pending, None
            self.send(I.Choose("slot", slot.id))

    def ticket_lines(self) -> str:
        vm = self.vm
        ticket = vm.ticket if vm else None
        if ticket is None:
            return ""
        lines = [ticket.centre, f"{self.tr('时间')}：{ticket.time}"]
        if ticket.kind == "queue":
            lines.append(f"{self.tr('前面等候')}：{ticket.waiting_ahead}{self.tr('人')}")
        lines.append(self.tr("凭条已打印，请取走") if vm.printed else self.tr("凭条未能打印，请记下号码"))
        return "\n".join(lines)
