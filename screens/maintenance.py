"""Maintenance entry: reached only by the hidden technician gesture; a PIN/TOTP pad whose code goes to
the flow layer (which verifies it and answers with the maintenance view-model or a refusal)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import MessageVM
from screens.base import BaseScreen, screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("maintenance")
class MaintenanceScreen(BaseScreen):
    def open_login(self) -> None:
        self.vm = MessageVM(title="维护登录", text="请输入维护口令（6 位动态码）")
        self.ids.code.text = ""
        self.app.keyboard_for(self.ids.code, "digits")

    def submit(self) -> None:
        self.app.hide_keyboard()
        self.send(I.Choose("maintenance_login", self.ids.code.text))
        self.ids.code.text = ""
