"""Message: info/warning/error text with the actions the flow layer offers (retry, home, help …).
Also the fallback for a view-model kind this UI does not know yet (shown, never a crash)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import MessageVM, ViewModel
from screens.base import BaseScreen, fill_buttons, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("message")
class MessageScreen(BaseScreen):
    def render(self, vm: ViewModel) -> None:
        if not isinstance(vm, MessageVM):
            vm = MessageVM(text=vm.title or vm.kind, elder_mode=vm.elder_mode)
        super().render(vm)
        buttons = fill_buttons(self.ids.actions, [(self.tr(a.label), partial(self.send, I.Choose("action", a.id)))
                                                  for a in vm.actions])
        for button, action in zip(buttons, vm.actions, strict=True):  # the way forward stands out; the others are plain
            button.tone = "primary" if action.primary or len(vm.actions) == 1 else "ghost"
