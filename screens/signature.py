"""Signature: the statement to sign, the pad, clear / confirm; the PNG goes to the flow layer as Sign."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import SignatureVM
from screens.base import BaseScreen, screen
from screens.widgets.signature import SignaturePad  # noqa: F401 — used by the kv rule

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("signature")
class SignatureScreen(BaseScreen):
    error = ""

    def render(self, vm: SignatureVM) -> None:  # type: ignore[override]
        super().render(vm)
        if not vm.signed:
            self.ids.pad.clear()

    def confirm(self) -> None:
        try:
            png = self.ids.pad.png()
        except ValueError:
            self.ids.hint.text = self.tr("请先在框内签名")
            return
        self.send(I.Sign(png))
