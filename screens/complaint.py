"""办不成事反映: what went wrong typed on the on-screen keyboard, an optional phone number for the reply
(checked here before it is sent, masked on screen with 显示), then the platform's reference number."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import ComplaintVM
from kiosk.privacy import mask_phone
from screens.base import BaseScreen, fill_buttons, screen
from screens.widgets.masked import MaskedInput

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
PHONE = re.compile(r"1[3-9]\d{9}")
PHONE_ERROR = "请输入11位手机号码，或留空"


class PhoneInput(MaskedInput):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(mask_phone, **kwargs)


@screen("complaint")
class ComplaintScreen(BaseScreen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.category = ""
        self.phone_error = ""

    def render(self, vm: ComplaintVM) -> None:  # type: ignore[override]
        if self.vm is None or not self.category:
            self.category = vm.category or ""
        super().render(vm)
        self._categories()

    def _categories(self) -> None:
        vm = self.vm
        mark = lambda o: ("● " if o.id == self.category else "○ ") + self.tr(o.label)  # noqa: E731
        fill_buttons(self.ids.categories, [(mark(o), partial(self.choose, o.id)) for o in vm.categories] if not vm.submitted else [],
                     "KGhost")

    def choose(self, category: str) -> None:
        self.category = category
        self._categories()

    def type_text(self) -> None:
        self.app.keyboard_for(self.ids.text, "pinyin")

    def type_phone(self) -> None:
        self.app.keyboard_for(self.ids.phone, "digits")

    def submit(self) -> None:
        self.app.hide_keyboard()
        phone = self.ids.phone.value.strip()
        self.phone_error = "" if not phone or PHONE.fullmatch(phone) else self.tr(PHONE_ERROR)
        self.ids.phone_error.text = self.phone_error
        if self.phone_error:
            return
        self.send(I.SubmitText(self.ids.text.text.strip(), phone=phone, category=self.category))

    def has_entries(self) -> bool:
        """Words or a number typed and not filed yet: 退出 asks before they are lost."""
        return not (self.vm and self.vm.submitted) and bool(self.ids.text.text.strip() or self.ids.phone.value)

    def on_leave(self, *_args: Any) -> None:
        self.ids.phone.hide()

    def session_over(self) -> None:
        """The next citizen sees none of this one's words or number."""
        self.ids.text.text, self.category, self.vm = "", "", None
        self.ids.phone.set_value("")
        self.ids.phone_error.text = ""
