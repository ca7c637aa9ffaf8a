"""Scripted journeys through the real widgets: real touches on real buttons, typing on the on-screen
keyboard, drawing a signature. The headless demo screenshots every step; the UI tests assert on them.

A journey talks to the UI only through ``Driver`` (touches, frames) and to the story port only for
what a device would do (a card placed on the reader), never by calling screen methods.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kivy.tests.common import UnitTestTouch

from kiosk.flows import intents as I
from screens.demo.story import StoryPort
from screens.driver import Driver

Shot = Callable[[str], None]


@dataclass
class Journey:
    driver: Driver
    port: StoryPort
    out: Path | None = None
    prefix: str = ""
    shots: list[Path] = field(default_factory=list)
    screens: list[str] = field(default_factory=list)

    # ----- plumbing -----------------------------------------------------------------------------
    def at(self, kind: str, label: str = "") -> Any:
        """Wait until ``kind`` is shown, screenshot it, return the screen."""
        self.driver.wait_for(kind)
        self.screens.append(kind)
        if self.out is not None:
            name = f"{self.prefix}{len(self.shots) + 1:02d}-{kind}{('-' + label) if label else ''}.png"
            self.shots.append(self.driver.app.screenshot(self.out / name))
        return self.driver.screen(kind)

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
    def type_into(self, text_input: Any, parts: list[tuple[str, str]], mode: str = "") -> None:
        """Tap the field, then type: ("pinyin letters", "character(s) to choose") or ("", "digits/latin")."""
        self.driver.tap(text_input)
        keyboard = self.driver.app.keyboard
        if keyboard is None or keyboard.target is not text_input:
            raise AssertionError(f"keyboard did not open for {getattr(text_input, 'field_id', text_input)}: "
                                 f"focus={text_input.focus} target={getattr(keyboard, 'target', None)} "
                                 f"at={text_input.to_window(*text_input.center)} size={text_input.size}")
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
        x0, y0 = pad.to_window(pad.x, pad.y)
        w, h = pad.size
        for stroke in (((.15, .5), (.3, .7), (.45, .4), (.6, .65)), ((.55, .3), (.7, .6), (.85, .45))):
            touch = UnitTestTouch(x0 + stroke[0][0] * w, y0 + stroke[0][1] * h)
            touch.touch_down()
            for fx, fy in stroke[1:]:
                touch.touch_move(x0 + fx * w, y0 + fy * h)
            touch.touch_up()
        self.driver.pump(1)

    # ----- items --------------------------------------------------------------------------------
    def start(self, search: str, item_name: str) -> None:
        self.at("attract")
        self.tap_attract()
        home = self.at("home")
        self.type_into(home.ids.query, [("", search)])
        self.keyboard_done()
        deadline = time.monotonic() + 2  # the search trigger waits 0.25 s of typing silence
        while not self.driver.app.current_vm.query and time.monotonic() < deadline:
            time.sleep(0.02)
            self.driver.pump(1)
        self.at("home", "search")
        self.press("home", item_name)

    def identify(self, method: str, agent: bool = False) -> None:
        self.at("identify", "choose")
        self.press("identify", method)
        self.at("identify", "card")
        self.port.card_placed()  # what the ID card reader reports when a card is placed
        self.at("identify", "face")
        self.driver.pump(1)
        if agent:
            self.port.send(I.Next())  # face verified
            self.at("identify", "principal")
            self.port.card_placed()
            self.at("identify", "principal-read")
        self.port.send(I.Next())  # face matched: the camera/verification step answers

    def guide(self, answers: tuple[str, ...] = ()) -> None:
        """Answer each question with the option containing the next text in ``answers`` (else the first)."""
        wanted = list(answers)
        for _ in range(12):  # no item asks more than a handful of questions
            self.driver.pump(1)
            kind = self.driver.app.current_vm.kind
            if kind != "guide":
                break
            screen = self.at("guide")
            before = len(self.port.sent)
            options = list(reversed(screen.ids.options.children))
            label = wanted.pop(0) if wanted else ""
            self.driver.tap(next((o for o in options if label and label in o.text), options[0]))
            self.driver.pump(2)
            if not any(isinstance(i, I.Answer) for i in self.port.sent[before:]):
                raise AssertionError(f"tapping the first option sent nothing: {self.port.sent[before:]}")
        if self.driver.app.current_vm.kind == "notice":
            self.at("notice")
            self.press_id("notice", "next")

    def form(self, name: list[tuple[str, str]], address: list[tuple[str, str]], phone: str = "13800001234") -> dict[str, str]:
        screen = self.at("form")
        typed: dict[str, str] = {}
        for field in list(self.driver.app.current_vm.fields):
            widget = self.driver.screen("form").inputs.get(field.id)
            if widget is None or widget.readonly:
                continue
            if field.type == "text" and field.id.endswith("name") and not widget.text:
                self.type_into(widget, name)
            elif field.type == "address":
                self.type_into(widget, address)
            elif field.type == "phone" and not widget.text:
                self.type_into(widget, [("", phone)])
            elif field.type == "id_number" and not widget.text:
                self.type_into(widget, [("", "50011219900101123X")])
            elif field.required and not widget.text:
                self.type_into(widget, [("shi", "是")] if field.keyboard == "pinyin" else [("", "1")])
            else:
                continue
            typed[field.id] = widget.text
            self.keyboard_done()
            self.driver.pump(2)
        self.at("form", "filled")
        self.press_id("form", "next")
        return typed

    def materials(self) -> None:
        screen = self.at("materials")
        for material in list(self.driver.app.current_vm.materials):
            from kivy.uix.button import Button

            buttons = [w for w in self.driver.screen("materials").walk()
                       if isinstance(w, Button) and getattr(w, "material_source", (None,))[0] == material.id]
            doccam = [b for b in buttons if b.material_source[1] == "doccam"]
            self.driver.tap((doccam or buttons)[0])
            self.driver.pump(2)
        self.at("materials", "outline")
        self.press_id("materials", "next")

    def sign_confirm_receipt(self, score: int = 5) -> Path:
        if self.driver.app.current_vm.kind == "signature" or self._wait_kind("signature", "confirm") == "signature":
            screen = self.at("signature")
            self.draw_signature(screen.ids.pad)
            self.at("signature", "signed")
            self.press_id("signature", "next")
        self.at("confirm")
        self.press_id("confirm", "next")
        self.at("progress")
        self.at("receipt")
        receipt = self.port.receipts[-1]
        self.press_id("receipt", "next")
        self.at("evaluate")
        self.press("evaluate", "★" * score)
        self.at("evaluate", "submitted")
        self.press_id("evaluate", "next")
        self.at("attract", "after")
        return receipt

    def _wait_kind(self, *kinds: str) -> str:
        for _ in range(200):
            self.driver.pump(1)
            if self.driver.app.current_vm.kind in kinds:
                return self.driver.app.current_vm.kind
        raise TimeoutError(kinds)


# ----- the complete journeys (demo and tests) ------------------------------------------------------
NAME_RARE_YAN = [("zhang", "张"), ("yan", "䶮")]
ADDRESS = [("chongqing", "重庆"), ("shi", "市"), ("yu", "渝"), ("bei", "北"), ("qu", "区"), ("", "88"), ("hao", "号")]


def sscard_replacement(j: Journey) -> dict[str, object]:
    """社保卡补领: 身份证+人脸, guide, 告知, form typed on the keyboard (name with 䶮), materials, signature."""
    j.start("shbzk", "社会保障卡申领及补领、换领")
    j.identify("身份证")
    j.guide(("第一次申领", "未成年子女"))  # the child's name is typed, not read from a card
    typed = j.form(NAME_RARE_YAN, ADDRESS)
    j.materials()
    receipt = j.sign_confirm_receipt()
    return {"typed": typed, "receipt": receipt}


def household_by_agent(j: Journey) -> dict[str, object]:
    """户籍证明 via 代办: the agent's card and face, then the principal's card; name typed with 𠮷."""
    j.start("hjzm", "户籍证明出具")
    j.identify("代办", agent=True)
    j.guide(("亲属的关系",))
    typed = j.form([("wang", "王"), ("ji", "𠮷")], ADDRESS)
    j.materials()
    receipt = j.sign_confirm_receipt(score=4)
    return {"typed": typed, "receipt": receipt, "agent": j.port.agent or True}


def housing_fund_elder(j: Journey) -> dict[str, object]:
    """住房公积金缴存证明 in 适老化 mode: switched on with one tap on the home screen."""
    j.at("attract")
    j.tap_attract()
    j.at("home")
    j.bar("elder")
    j.at("home", "elder")
    assert j.driver.app.theme.elder and j.driver.app.theme.scale >= 1.5
    j.press("home", "住房公积金个人缴存证明打印")
    j.identify("身份证")
    j.guide()
    typed = j.form([("li", "李")], ADDRESS)
    j.materials()
    receipt = j.sign_confirm_receipt()
    return {"typed": typed, "receipt": receipt, "spoken": list(j.port.spoken)}


def services_tour(j: Journey) -> None:
    """Case status, centres map, FAQ typed on the keyboard, 帮办, idle overlay, out of service, maintenance."""
    j.at("attract")
    j.tap_attract()
    j.at("home")
    j.press("home", "办件查询")
    j.at("case_status")
    j.press("case_status", "扫描回执二维码")
    j.at("case_status", "scan")
    j.port.show_case()
    j.at("case_status", "result")
    j.bar("home")
    j.at("attract")
    j.tap_attract()
    j.at("home")
    j.press("home", "附近网点")
    j.at("centres")
    j.port.send(I.Back())
    j.at("home")
    j.press("home", "政策问答")
    faq = j.at("faq")
    j.type_into(faq.ids.query, [("she", "社"), ("bao", "保"), ("ka", "卡"), ("diu", "丢")])
    j.keyboard_done()
    j.at("faq", "answer")
    j.bar("help")
    j.at("help")
    j.port.idle_warning(20)
    j.driver.pump(2)
    j.at("help", "idle-warning")
    j.driver.tap(j.driver.app.overlay)  # 点击继续办理
    j.driver.pump(1)
    j.port.idle_timeout()
    j.at("attract", "idle-timeout")
    j.port.out_of_service = "身份证阅读器故障，请到窗口办理"
    j.port.publish(j.port.attract())
    j.driver.pump(2)
    j.at("attract", "out-of-service")
    j.port.out_of_service = ""
    j.port.publish(j.port.attract())
    j.driver.pump(2)
    corner = j.driver.app.tech_corner
    touch = UnitTestTouch(*corner.to_window(*corner.center))
    touch.touch_down()
    deadline = time.monotonic() + corner.hold_s + 2
    while j.driver.app.manager.current != "maintenance" and time.monotonic() < deadline:
        time.sleep(0.02)
        j.driver.pump(1)
    touch.touch_up()
    j.driver.pump(2)
    j.screens.append("maintenance")
    if j.out is not None:
        j.shots.append(j.driver.app.screenshot(j.out / f"{j.prefix}{len(j.shots) + 1:02d}-maintenance.png"))


JOURNEYS = {"sscard": sscard_replacement, "agent": household_by_agent, "elder": housing_fund_elder,
            "services": services_tour}
