"""Receipt: the rendered ESC/POS PNG (what the printer put on paper), the receipt number, the way forward."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from kiosk.flows.viewmodels import ReceiptVM
from screens.base import BaseScreen, screen
from screens.imaging import set_png_file

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@screen("receipt")
class ReceiptScreen(BaseScreen):
    def render(self, vm: ReceiptVM) -> None:  # type: ignore[override]
        super().render(vm)
        set_png_file(self.ids.paper, vm.receipt_png_path)
