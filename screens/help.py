"""帮办: a staff member is called to the terminal; the citizen sees that help is on its way, and may switch
to a video call or a phone call back (a number typed on the digits keyboard, checked and masked)."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import HelpVM
from kiosk.privacy import mask_phone
from screens.base import BaseScreen, fill_buttons, screen
from screens.widgets.masked import MaskedInput

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
PHONE = re.compile(r"1[3-9]\d{9}")


class CallbackPhone(MaskedInput):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(mask_phone, **kwargs)


@screen("help")
class HelpScreen(BaseScreen):
    def render(self, vm: HelpVM) -> None:  # type: ignore[override]
        super().render(vm)
        others = [o for o in vm.modes if o.id != vm.mode] if not vm.needs_phone else []
        fill_buttons(self.ids.modes, [(self.tr("改为") + self.tr(o.label), partial(self.send, I.Choose("help_mode", o.id)))
                                      for o in others], "KGhost")

    def type_phone(self) -> None:
        self.app.keyboard_for(self.ids.phone, "digits")

    def call_back(self) -> None:
        self.app.hide_keyboard()
        phone = self.ids.phone.value.strip()
        ok = bool(PHONE.fullmatch(phone))
        self.ids.phone_error.text = "" if ok else self.tr("请输入11位手机号码")
        if ok:
            self.send(I.SubmitText("电话回拨", phone=phone))

    def session_over(self) -> None:
        self.ids.phone.set_value("")
        self.ids.phone_error.text = ""
