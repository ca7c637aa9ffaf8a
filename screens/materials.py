"""Materials: each material's status (电子证照 first), capture sources, the live preview and the
detected page outline drawn over it, rejections with the rule they cite."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.graphics import Color, Line
from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import MaterialsVM, MaterialVM
from screens.base import BaseScreen, screen
from screens.imaging import set_jpeg

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
SOURCE_DEVICES = {"doccam": "高拍仪", "scanner": "扫描仪", "photo": "摄像头"}
STATUS = {"pending": "待提交", "elicense": "已调用电子证照", "captured": "已采集", "rejected": "未通过", "optional": "选交"}


@screen("materials")
class MaterialsScreen(BaseScreen):
    def render(self, vm: MaterialsVM) -> None:  # type: ignore[override]
        super().render(vm)
        box = self.ids.materials
        box.clear_widgets()
        for material in vm.materials:
            box.add_widget(self._row(material))
        set_jpeg(self.ids.preview, vm.preview_jpeg)
        device = SOURCE_DEVICES.get(vm.capturing or "", vm.capturing or "")
        self.ids.capturing.text = f"{self.tr('正在采集')}：{self.tr(device)}" if device else ""
        self.draw_outline()

    def _row(self, m: MaterialVM) -> Any:
        card = Factory.Card()
        status = self.tr(STATUS.get(m.status, m.status)) + (f" · {m.pages}{self.tr('页')}" if m.pages else "")
        card.add_widget(Factory.KLabel(text=f"{m.name}  [{status}]"))
        if m.rejection:
            card.add_widget(Factory.KLabel(text=f"{m.rejection}（{self.tr('依据')}：{m.basis}）", color=self.app.theme.danger))
        buttons = BoxLayout(size_hint_y=None, spacing=8)
        buttons.bind(minimum_height=buttons.setter("height"))
        for source in m.sources:
            intent = I.UseElicense(m.id) if source.id == "elicense" else I.Capture(m.id, source.id)
            button = Factory.KButton(text=self.tr(source.label))
            button.material_source = (m.id, source.id)
            button.bind(on_release=partial(self._send_on_release, intent))
            buttons.add_widget(button)
        card.add_widget(buttons)
        return card

    def _send_on_release(self, intent: I.Intent, _button: Any) -> None:
        self.send(intent)

    def draw_outline(self, *_args: Any) -> None:
        """Scale the outline from preview pixels to the displayed image rectangle and draw it."""
        image = self.ids.preview
        image.canvas.after.clear()
        vm = self.vm
        if not vm or not vm.outline or image.texture is None:
            return
        tw, th = image.texture.size
        nw, nh = image.norm_image_size
        left, bottom = image.center_x - nw / 2, image.center_y - nh / 2
        points: list[float] = []
        for x, y in list(vm.outline) + [vm.outline[0]]:
            points += [left + x * nw / tw, bottom + (th - y) * nh / th]  # image y grows downwards
        with image.canvas.after:
            Color(0.1, 0.9, 0.3, 1)
            Line(points=points, width=3)
