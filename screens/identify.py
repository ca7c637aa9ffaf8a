"""Identify: choose a method, then the animated "请将身份证放在感应区", the QR prompt, or the live face
preview with guidance (the flow layer streams JPEG previews in the view-model). Only the methods whose
devices work are offered; the view-model's ``notice`` says which are missing and what to use instead."""

from __future__ import annotations

from pathlib import Path

from kivy.animation import Animation
from kivy.lang import Builder

from kiosk.flows import intents as I
from kiosk.flows.viewmodels import IdentifyVM
from screens.base import BaseScreen, fill_buttons, screen
from screens.imaging import set_jpeg

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
PROMPTS = {"insert_card": "请将身份证放在感应区", "reading": "正在读取身份证，请勿移动",
           "scan_code": "请出示渝快码，对准下方扫码区", "insert_sscard": "请插入社会保障卡",
           "face": "请正对摄像头，保持不动", "verifying": "正在核验身份…", "choose": "请选择身份核验方式"}
AGENT_CHOOSE = "代办：请先核验您（代办人）本人的身份"


@screen("identify")
class IdentifyScreen(BaseScreen):
    _anim: Animation | None = None

    def render(self, vm: IdentifyVM) -> None:  # type: ignore[override]
        super().render(vm)
        fill_buttons(self.ids.methods, self._choices(vm))
        prompt = AGENT_CHOOSE if vm.phase == "choose" and vm.role == "agent" else PROMPTS.get(vm.phase, "")
        self.ids.prompt.text = self.tr(vm.guidance or prompt)
        self.ids.card.opacity = 1 if vm.phase in ("insert_card", "reading", "insert_sscard") else 0
        self.ids.qr.opacity = 1 if vm.phase == "scan_code" else 0
        set_jpeg(self.ids.preview, vm.preview_jpeg)
        self.ids.preview.opacity = 1 if vm.phase == "face" and vm.preview_jpeg else 0
        if vm.phase in ("insert_card", "insert_sscard", "scan_code") and self._anim is None:
            # 10 steps a second, as the attract pulse: every frame kept software GL redrawing the whole
            # window nonstop while the citizen looks for the card, and a tap then waited for that frame
            self._anim = Animation(y_shift=-40, duration=0.8, step=0.1) + Animation(y_shift=0, duration=0.8, step=0.1)
            self._anim.repeat = True
            self._anim.start(self.ids.card)
        elif vm.phase not in ("insert_card", "insert_sscard", "scan_code") and self._anim is not None:
            self._anim.cancel(self.ids.card)
            self._anim = None

    def on_leave(self, *_args: object) -> None:
        """Off screen: no animation ticking behind the next screen (render starts it again)."""
        if self._anim is not None:
            self._anim.cancel(self.ids.card)
            self._anim = None

    def start_agent(self) -> None:
        """为他人代办: the same item again as 代办 (the agent's card and face, then the principal's card)."""
        # hidden (opacity and height 0) outside the choose phase, not disabled: disabling re-rendered its
        # label texture (the colour is baked in) on every phase change
        if self.vm is not None and self.vm.can_agent and self.vm.phase == "choose":
            self.send(I.Start(self.vm.item_code, agent=True))

    def _choices(self, vm: IdentifyVM) -> list:
        """The buttons for this phase: methods; 代办's principal card or manual entry; retry after a failure."""
        if vm.phase == "choose":
            return [(self.tr(o.label), lambda m=o.id: self.send(I.Choose("method", m))) for o in vm.methods]
        if vm.phase == "principal":
            ways = (("card", "读取被代办人身份证"), ("manual", "手工填写被代办人信息"))[0 if vm.principal_card else 1:]  # no reader: manual only
            return [(self.tr(label), lambda h=how: self.send(I.Choose("principal", h))) for how, label in ways]
        if vm.phase == "failed":
            return [(self.tr("重试"), lambda: self.send(I.Choose("action", "retry")))]
        return []
