"""Maintenance: the technician's login pad (reached by the hidden gesture) and the maintenance dashboard.

Both render view-models from the flow layer (``MaintenanceLoginVM``, ``MaintenanceVM``) and send
intents back (``MaintenanceLogin``, ``MaintenanceAction``); the screen never touches kiosk.maint, so
every check, lockout and audit record stays on the flow side. Leaving is the flow's AttractVM.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows import intents as I
from kiosk.flows.maint_views import MaintenanceLoginVM, MaintenanceVM
from kiosk.flows.viewmodels import ViewModel
from screens.base import BaseScreen, fill_buttons, fill_labels, screen


class MaintenancePane(BoxLayout):
    """One of the screen's two panels (login pad, dashboard). A hidden pane takes no touch at all.

    Why: a pane hidden after a visit kept the height it was laid out with (kv's ``height: 0`` is applied
    once), so the hidden dashboard's grid still lay over the pad; Kivy's disabled widgets swallow every
    touch that hits them, so a hidden, disabled 设备计数 button ate the tap on 维护卡 + 密码.
    """

    shown = BooleanProperty(True)

    def on_shown(self, _pane: object, shown: bool) -> None:
        if not shown:  # kv's constant `height: 0` is applied once: a pane hidden after being laid out keeps its height
            self.height = 0

    def on_touch_down(self, touch: object) -> bool:
        return bool(self.shown and super().on_touch_down(touch))

    def on_touch_move(self, touch: object) -> bool:
        return bool(self.shown and super().on_touch_move(touch))

    def on_touch_up(self, touch: object) -> bool:
        return bool(self.shown and super().on_touch_up(touch))


Factory.register("MaintenancePane", cls=MaintenancePane)  # kv rules match the class name: <MaintenancePane> styles it
Builder.load_file(str(Path(__file__).with_suffix(".kv")))

PROMPTS = {"totp": "请输入维护口令（6 位动态码）", "card": "请将维护卡放入社保卡读卡器，再输入密码"}


def section_lines(vm: MaintenanceVM, tr: Callable[[str], str]) -> list[str]:
    """The dashboard's list for the panel the last action opened (status, self-test, counters, errors, config)."""
    if vm.section == "selftest":
        return [f"[{tr('跳过') if r.skipped else tr('通过') if r.ok else tr('未通过')}] {r.name} ({r.device})：{r.detail}"
                + ("" if r.ok or not r.prompt else f"  — {tr(r.prompt)}") for r in vm.selftest] or [tr("正在自检，请稍候…")]
    if vm.section == "counters":
        return [f"{row.device}：{row.counts}" for row in vm.counters] or [tr("暂无计数")]
    if vm.section == "errors":
        return [f"{e.at} {e.device}：{e.error} → {tr('处理')}：{e.action or '-'}" for e in vm.errors] or [tr("无最近故障")]
    if vm.section == "config":
        previous = "-" if vm.config_previous is None else str(vm.config_previous)
        return [f"{tr('配置版本')}：{vm.config_version}（{vm.config_state}）", f"{tr('上一版本')}：{previous}"]
    return [f"{d.device}：{tr('正常') if d.ok else tr('故障')} {d.state} {d.description}".rstrip() for d in vm.devices]


@screen("maintenance")
class MaintenanceScreen(BaseScreen):
    mode = StringProperty("login")  # login | dashboard
    method = StringProperty("totp")  # card | totp
    message = StringProperty("")
    prompt = StringProperty(PROMPTS["totp"])
    header = StringProperty("")

    def on_method(self, _screen: object, method: str) -> None:
        self.prompt = PROMPTS.get(method, PROMPTS["totp"])

    def open_login(self) -> None:
        """The technician gesture: a fresh pad at once; the flow layer ends any citizen session and owns the pad's taps."""
        self.method = "totp"
        self.render(MaintenanceLoginVM(title="维护登录", method="totp"))
        self.send(I.MaintenanceAction("login"))

    def render(self, vm: ViewModel) -> None:
        super().render(vm)
        if isinstance(vm, MaintenanceVM):
            self._render_dashboard(vm)
        else:
            self._render_login(vm if isinstance(vm, MaintenanceLoginVM) else MaintenanceLoginVM(title="维护登录"))

    def _render_login(self, vm: MaintenanceLoginVM) -> None:
        self.mode, self.message = "login", vm.message
        if vm.message:  # a refusal names the method tried; the pad's own echo must not undo a tap on the other method
            self.method = vm.method
        if vm.message:  # a refusal: type again (the gesture's own pad keeps what is already typed)
            self.ids.code.text = ""
        self.ids.next.disabled = vm.locked
        if not vm.locked:
            self.app.keyboard_for(self.ids.code, "digits")

    def _render_dashboard(self, vm: MaintenanceVM) -> None:
        self.mode, self.message = "dashboard", vm.message
        self.header = f"{self.tr('维护员')} {vm.technician} · {self.tr('配置版本')} {vm.config_version}"
        buttons = fill_buttons(self.ids.actions, [(self.tr(a.label), partial(self.act, a.id)) for a in vm.actions])
        for button in buttons:
            button.disabled = vm.busy
        fill_labels(self.ids.rows, section_lines(vm, self.tr))

    # ----- intents ------------------------------------------------------------------------------
    def choose_method(self, method: str) -> None:
        self.method, self.message = method, ""
        self.ids.code.text = ""
        self.app.keyboard_for(self.ids.code, "digits")

    def submit(self) -> None:
        self.app.hide_keyboard()
        self.send(I.MaintenanceLogin(self.method, self.ids.code.text))
        self.ids.code.text = ""

    def act(self, action: str) -> None:
        self.send(I.MaintenanceAction(action))
