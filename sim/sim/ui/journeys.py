"""Journeys through the real widgets on the REAL flow engine (``kiosk.flows.port.FlowRuntime``:
Controller, sim devices, embedded platform): real touches on real buttons, typing on the on-screen
keyboard, drawing a signature. The headless demo screenshots every step; the UI tests assert on them.

A journey talks to the UI only through ``Driver`` (touches, frames) and plays the citizen's hands
on the devices through the sim devices' ``.emulator`` control APIs (a card on the reader, a QR code
in front of the scanner, a page under the document camera), as the developer panel does. It reads
the current view-model to decide what a citizen would tap next, so it follows whatever the flow
engine asks (questions, validation errors, rejected materials) instead of a fixed script.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kivy.tests.common import UnitTestTouch

from kiosk.flows import intents as I
from screens.driver import Driver
from sim.ui.citizen import Citizen, reach, run_item

Listener = Callable[[Any], None]


class RecordingPort:
    """The FlowRuntime behind a port that remembers every intent the widgets sent (tests assert on them)."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.sent: list[I.Intent] = []

    def subscribe(self, listener: Listener) -> None:
        self.runtime.subscribe(listener)

    def send(self, intent: I.Intent) -> None:
        self.sent.append(intent)
        self.runtime.send(intent)

    @property
    def terminal(self) -> Any:
        return self.runtime.terminal

    @property
    def controller(self) -> Any:
        return self.runtime.controller


@dataclass
class Journey:
    driver: Driver
    port: RecordingPort
    out: Path | None = None
    prefix: str = ""
    receipts_dir: Path | None = None
    shots: list[Path] = field(default_factory=list)
    screens: list[str] = field(default_factory=list)
    receipts: list[Path] = field(default_factory=list)
    elder: bool = False
    last_receipt_number: str = ""
    receipts_seen: int = 0
    timing: dict[str, float] = field(default_factory=dict)

    # ----- plumbing -----------------------------------------------------------------------------
    @property
    def vm(self) -> Any:
        return self.driver.app.current_vm

    def emulator(self, device: str) -> Any:
        return getattr(getattr(self.port.terminal, device), "emulator")

    def shot(self, kind: str, label: str = "") -> None:
        self.screens.append(kind + (f":{label}" if label else ""))
        if self.out is not None:
            name = f"{self.prefix}{len(self.shots) + 1:02d}-{kind}{('-' + label) if label else ''}.png"
            t0 = time.monotonic()
            self.shots.append(self.driver.app.screenshot(self.out / name))
            self.timing["screenshots"] = self.timing.get("screenshots", 0.0) + time.monotonic() - t0

    def at(self, kind: str, label: str = "", timeout: float = 20.0) -> Any:
        """Wait until ``kind`` is shown, screenshot it, return the screen."""
        self.driver.wait_for(kind, timeout)
        self.shot(kind, label)
        return self.driver.screen(kind)

    def until(self, ready: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
        """Pump frames until ``ready()`` (the flow engine answers from its own thread)."""
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: still on {self.vm and self.vm.kind} {self._describe()}")
            self.driver.pump(1)
            time.sleep(0.005)
        self.driver.pump(1)

    def changed(self, before: Any, timeout: float = 20.0) -> None:
        """Wait for the next view-model after ``before`` (any new one, even of the same kind)."""
        self.until(lambda: self.vm is not before and self.driver.app.manager.current == self.driver.app.screen_for(self.vm.kind).name,
                   "no new screen", timeout)

    def _describe(self) -> str:
        vm = self.vm
        return " ".join(str(getattr(vm, a)) for a in ("phase", "error", "text", "guidance", "out_of_service_reason") if getattr(vm, a, ""))

    def press(self, kind: str, text: str) -> None:
        self.driver.tap(self.driver.button(kind, text))

    def press_id(self, kind: str, widget_id: str) -> None:
        self.driver.tap(self.driver.screen(kind).ids[widget_id])

    def bar(self, widget_id: str) -> None:
        self.driver.tap(self.driver.app.bottom_bar.ids[widget_id])

    def tap_attract(self) -> None:
        """Touch the attract screen away from the item buttons (on the "轻触屏幕开始办理" prompt)."""
        self.driver.tap(self.driver.screen("attract").ids.prompt)

    # ----- the on-screen keyboard ---------------------------------------------------------------
    def type_into(self, text_input: Any, parts: list[tuple[str, str]]) -> None:
        """Tap the field, then type: ("pinyin letters", "character(s) to choose") or ("", "digits/latin")."""
        t0 = time.monotonic()
        self._type(text_input, parts)
        self.timing["typing"] = self.timing.get("typing", 0.0) + time.monotonic() - t0

    def _type(self, text_input: Any, parts: list[tuple[str, str]]) -> None:
        self.driver.tap(text_input)
        keyboard = self.driver.app.keyboard
        if keyboard is None or keyboard.target is not text_input:
            raise AssertionError(f"keyboard did not open for {getattr(text_input, 'field_id', text_input)}")
        self.driver.app.ime_loader.wait()
        self.driver.pump(1)
        for letters, wanted in parts:
            if letters:
                for letter in letters:
                    self.driver.tap(keyboard.key(letter), frames=0)
                keyboard.candidate(wanted)  # pages with the ▶ button until it is visible
                self.driver.pump(1)  # lay out the new candidate buttons before touching one
                self.driver.tap(keyboard.candidate_button(wanted), frames=0)
            else:
                for ch in wanted:
                    self.driver.tap(keyboard.key(ch), frames=0)
        self.driver.pump(1)

    def keyboard_done(self) -> None:
        assert self.driver.app.keyboard is not None
        self.driver.tap(self.driver.app.keyboard.key("done"))

    def draw_signature(self, pad: Any) -> None:
        self.driver.stable_centre(pad)  # the screen may still be laying out: draw where the pad ends up
        x0, y0 = pad.to_window(pad.x, pad.y)
        w, h = pad.size
        for stroke in (((.15, .5), (.3, .7), (.45, .4), (.6, .65)), ((.55, .3), (.7, .6), (.85, .45))):
            touch = UnitTestTouch(x0 + stroke[0][0] * w, y0 + stroke[0][1] * h)
            touch.touch_down()
            for fx, fy in stroke[1:]:
                touch.touch_move(x0 + fx * w, y0 + fy * h)
            touch.touch_up()
        self.driver.pump(1)

    # ----- starting -----------------------------------------------------------------------------
    def home(self) -> Any:
        """Attract → home; in elder mode the citizen switches 适老化 on with one tap first."""
        self.at("attract")
        self.tap_attract()
        screen = self.at("home")
        if self.elder and not self.vm.elder_mode:
            self.bar("elder")
            self.until(lambda: self.vm.elder_mode and self.driver.app.theme.elder, "elder mode", 5)
            self.shot("home", "elder")
        return screen

    def search(self, letters: str) -> None:
        home = self.driver.screen("home")
        self.type_into(home.ids.query, [("", letters)])
        self.keyboard_done()
        self.until(lambda: self.vm.kind == "home" and bool(self.vm.query), "search results", 5)
        self.shot("home", "search")


HOUSING_FUND = "住房公积金个人缴存证明打印"
HOUSEHOLD = "户籍证明出具"
SSCARD = "社会保障卡申领及补领、换领"


def ordinary_item(j: Journey) -> dict[str, object]:
    """An applicant: search by initials, 身份证 + face, guide, form typed on the keyboard, materials, signature."""
    j.home()
    j.search("shbzk")
    j.press("home", SSCARD)
    result = run_item(j, Citizen("zhangsan", answers=("卡丢了，补领",)))  # its form has the 是/否 toggle
    return result


def agent_item(j: Journey) -> dict[str, object]:
    """代办: the agent's card and face, then the principal's card on the same reader."""
    j.home()
    j.search("hjzm")
    j.press("home", HOUSEHOLD)
    j.until(lambda: j.vm.kind == "identify" and j.vm.can_agent, "the item's identify screen", 10)
    j.shot("identify", "before-agent")
    j.press_id("identify", "agent")  # 为他人代办
    j.until(lambda: j.vm.kind == "identify" and j.vm.role == "agent", "代办 start", 10)
    return run_item(j, Citizen("zhangsan", principal_card="lixiuying"))


def elder_item(j: Journey, on_home: bool = True) -> dict[str, object]:
    """适老化 mode switched on with one tap of the bottom bar (on the home screen, or once the item has
    started: the half-size test window has no room for the elder home screen's item list), then an
    81-year-old's 公积金 certificate."""
    j.elder = on_home
    j.home()
    j.search("zfgjjgrjc")
    j.press("home", HOUSING_FUND)
    if not on_home:
        j.until(lambda: j.vm.kind == "identify", "the item's first screen", 10)
        j.bar("elder")
        j.until(lambda: j.vm.elder_mode and j.driver.app.theme.elder, "elder mode", 5)
        j.shot("identify", "elder")
    return run_item(j, Citizen("lixiuying", answers=("缴存明细",)))  # its form has two dates (the date picker)


ELDER_CARE = "经济困难的高龄失能老年人养老服务补贴申请"
WINDOW_ONLY = {  # item, search letters, a situation only a service window takes, the one the citizen then chooses
    "household": (HOUSEHOLD, "hjzm", "姓名、出生日期、户籍地址等基本信息", ""),
    "elder_care": (ELDER_CARE, "gljt", "已入住养老机构", "60周岁以上且生活不能自理（失能）"),
}


def window_only(j: Journey, which: str = "household", card: str = "zhangsan") -> dict[str, object]:
    """A situation this terminal cannot take: the flow says so in plain words (the message screen) and offers
    the 一次性告知书. With a second answer (高龄补贴, for the elder layout) the citizen chooses again and
    completes the item, signature included; otherwise they leave with 退出."""
    name, letters, unsupported, instead = WINDOW_ONLY[which]
    j.home()
    j.search(letters)
    j.press("home", name)
    reach(j, Citizen(card), "guide")
    j.shot("guide")
    j.press("guide", unsupported)
    j.until(lambda: j.vm.kind == "message", "the window-only message", 10)
    j.shot("message")
    if not instead:
        j.bar("home")
        j.until(lambda: j.vm.kind == "attract", "back to attract", 10)
        return {}
    message = j.vm
    j.press("message", "重新选择")
    j.changed(message, 10)  # the flow answers from its own thread: back on the guide
    return run_item(j, Citizen(card, answers=(instead,)))


def services_tour(j: Journey) -> dict[str, object]:
    """Case status (the last receipt's QR shown to the scanner), centres, FAQ typed on the keyboard, 帮办."""
    j.home()
    j.press("home", "办件查询")
    j.at("case_status")
    j.press("case_status", "二维码")
    j.until(lambda: j.vm.kind == "case_status" and j.vm.phase == "scan", "scan phase", 10)
    j.shot("case_status", "scan")
    reference = j.last_receipt_number or "YKB-DEMO"
    j.emulator("barcode").show(f"https://zwykb.cq.gov.cn/progress?r={reference}")
    j.until(lambda: j.vm.kind == "case_status" and j.vm.phase in ("result",) or bool(j.vm.error), "case result", 20)
    j.shot("case_status", "result")
    j.emulator("barcode").clear()
    j.bar("home")
    j.home()
    j.press("home", "附近网点")
    j.at("centres")
    j.bar("home")
    j.home()
    j.press("home", "常见问题")
    faq = j.at("faq")
    before = j.vm
    j.type_into(faq.ids.query, [("she", "社"), ("bao", "保"), ("ka", "卡"), ("diu", "丢")])
    j.keyboard_done()
    j.changed(before, 10)
    j.shot("faq", "answer")
    j.bar("help")
    j.at("help")
    j.bar("home")
    j.at("attract", "home")
    return {}


def idle_and_technician(j: Journey) -> dict[str, object]:
    """The idle countdown overlay (a tap continues), the idle timeout back to attract, and the
    technician's long press on the hidden corner. The session's idle timer is shortened for this."""
    idle = j.port.controller.idle
    saved = idle.timeout_s, idle.warning_s
    try:
        j.home()  # (elder mode switched on first) with the normal timer: a loaded machine took > 2.5 s for it
        idle.timeout_s, idle.warning_s = 0.5, 2.0  # plain floats the timer re-reads each second
        overlay = j.driver.app.overlay
        j.until(lambda: overlay.parent is not None, "idle warning", 10)
        j.shot("home", "idle-warning")
        before = len(j.port.sent)
        j.driver.tap(overlay)  # 点击继续办理
        j.until(lambda: I.Touch() in j.port.sent[before:], "continue", 5)  # (the short timer warns again at once)
        j.until(lambda: j.vm.kind == "attract", "idle timeout", 15)
        j.shot("attract", "idle-timeout")
    finally:
        idle.timeout_s, idle.warning_s = saved
    corner = j.driver.app.tech_corner
    touch = UnitTestTouch(*corner.to_window(*corner.center))
    touch.touch_down()
    j.until(lambda: j.driver.app.manager.current == "maintenance", "technician login", corner.hold_s + 3)
    touch.touch_up()
    j.driver.pump(2)
    j.shot("maintenance", "login")
    return {}


def more_services(j: Journey) -> dict[str, object]:
    from sim.ui.service_journeys import more_services as journey  # (it imports this module's helpers)

    return journey(j)


JOURNEYS = {"more_services": more_services, "ordinary": ordinary_item, "agent": agent_item, "elder": elder_item, "services": services_tour,
            "window_only": window_only, "elder_care": lambda j: window_only(j, "elder_care", card="lixiuying"),
            "idle": idle_and_technician}
