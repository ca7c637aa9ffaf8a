"""The citizen's hands in a journey: what a person taps, types and signs on each screen of an item.

Split from ``journeys.py`` (which holds the recording port, the journey harness and the journeys):
``run_item`` reads the current view-model and answers it as a citizen would, whatever the flow
engine asks (questions, validation errors, rejected materials), instead of following a fixed script.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.flows import plan as P

if TYPE_CHECKING:  # the harness imports this module; the type is only for annotations
    from sim.ui.journeys import Journey

# ----- the citizen: what a person taps on each screen of an item -----------------------------------
IDENTIFY_BUTTON = {"idcard_face": "身份证", "ykm": "渝快码", "sscard": "社保卡"}


@dataclass
class Citizen:
    """Who is at the terminal: the ID card they carry and what they type when nothing is prefilled."""

    card: str = "zhangsan"
    principal_card: str = ""  # 代办: the principal's card the agent brought
    typed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # field id (suffix) → keystrokes
    picked: dict[str, str] = field(default_factory=dict)  # field id (suffix) → option id(s) or YYYY-MM-DD to tap
    answers: tuple[str, ...] = ()  # guide option labels this citizen taps where offered (else the first that leads on)
    score: int = 5


def keystrokes(text: str) -> list[tuple[str, str]]:
    """What a citizen types for ``text`` on the pinyin keyboard: pinyin per Chinese character, digits as they are."""
    from pypinyin import Style, lazy_pinyin

    parts: list[tuple[str, str]] = []
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" or ord(ch) > 0xFFFF or "\u3400" <= ch <= "\u4dbf":
            parts.append((lazy_pinyin(ch, style=Style.NORMAL)[0].replace("ü", "v"), ch))
        else:
            parts.append(("", ch))
    return parts


def run_item(j: Journey, citizen: Citizen, max_steps: int = 80, stop_at: str = "") -> dict[str, object]:
    """From the item's first screen to the attract screen after 好差评 (or to the screen ``stop_at``),
    tapping as the citizen would."""
    typed: dict[str, str] = {}
    seen_phases: set[str] = set()
    j.until(lambda: j.vm.kind not in ("home", "attract"), "the item's first screen", 10)
    for _ in range(max_steps):
        vm = j.vm
        kind = vm.kind
        if kind == stop_at:
            j.driver.wait_for(kind)
            return {"typed": typed}
        if kind == "attract":
            j.shot("attract", "after")
            return {"typed": typed, "receipt": j.receipts[-1] if j.receipts else ""}
        if kind == "identify":
            _identify(j, vm, citizen, seen_phases)
        elif kind == "guide":
            _guide(j, vm, citizen.answers)
        elif kind == "notice":
            j.shot("notice")
            j.press_id("notice", "next")
        elif kind == "form":
            _form(j, vm, citizen, typed)
        elif kind == "materials":
            _materials(j, vm)
        elif kind == "signature":
            j.shot("signature")
            j.draw_signature(j.driver.screen("signature").ids.pad)
            j.shot("signature", "signed")
            j.press_id("signature", "next")
        elif kind == "confirm":
            j.shot("confirm")
            j.press_id("confirm", "next")
        elif kind == "progress":
            j.shot("progress")
            j.until(lambda: j.vm.kind != "progress", "submission", 40)
            continue
        elif kind == "receipt":
            _receipt(j, vm)
        elif kind == "evaluate":
            j.shot("evaluate")
            j.press("evaluate", "★" * citizen.score)
            j.until(lambda: j.vm is not vm, "evaluation", 10)
            if j.vm.kind == "evaluate":
                j.shot("evaluate", "submitted")
                j.press_id("evaluate", "next")
            continue
        elif kind == "home" and j.receipts_seen:  # the item is done: the citizen leaves with 退出
            j.shot("home", "after")
            j.bar("home")
        elif kind == "message":
            j.shot("message")
            raise AssertionError(f"the flow stopped on a message: {vm.text}")
        else:
            raise AssertionError(f"unexpected screen {kind}")
        if j.vm is vm:
            j.changed(vm, 40)
    raise AssertionError(f"journey did not finish in {max_steps} steps (at {j.vm.kind})")


def reach(j: Journey, citizen: Citizen, kind: str, answers: tuple[str, ...] = (), max_steps: int = 30) -> Any:
    """Tap through identify, the guide (choosing the option labels in ``answers`` where offered) and the
    notice until the screen ``kind``; returns that screen. Tests use it to stop at the form."""
    seen: set[str] = set()
    j.until(lambda: j.vm.kind not in ("home", "attract"), "the item's first screen", 10)
    for _ in range(max_steps):
        vm = j.vm
        if vm.kind == kind:
            j.driver.wait_for(kind)
            return j.driver.screen(kind)
        if vm.kind == "identify":
            _identify(j, vm, citizen, seen)
        elif vm.kind == "guide":
            _guide(j, vm, answers or citizen.answers)
        elif vm.kind == "notice":
            j.press_id("notice", "next")
        else:
            raise AssertionError(f"unexpected screen {vm.kind} on the way to {kind}")
        if j.vm is vm:
            j.changed(vm, 40)
    raise AssertionError(f"{kind} not reached in {max_steps} steps (at {j.vm.kind})")


def _identify(j: Journey, vm: Any, citizen: Citizen, seen: set[str]) -> None:
    phase = vm.phase
    who = "principal" if "principal" in seen else vm.role  # after 代办's principal step the reader reads the principal
    if f"{who}:{phase}" in seen and phase not in ("choose", "principal"):
        return  # live face preview frames: the same phase again, nothing to tap
    seen.add(f"{who}:{phase}")
    j.shot("identify", phase)
    if vm.error:
        raise AssertionError(f"identification failed: {vm.error}")
    if phase == "choose":
        j.emulator("idcard").remove()  # nothing on the reader until the citizen is asked for the card
        method = next(m.id for m in vm.methods if m.id == "idcard_face")
        j.press("identify", IDENTIFY_BUTTON[method])
    elif phase == "insert_card" and who != "principal":
        j.emulator("idcard").insert(citizen.card)  # the citizen puts the card on the reader
    elif phase == "insert_card":
        j.emulator("idcard").insert(citizen.principal_card)
    elif phase == "principal":
        seen.add("principal")
        j.emulator("idcard").remove()  # the agent takes their own card away
        j.press("identify", "被代办人身份证")


def _guide(j: Journey, vm: Any, answers: tuple[str, ...] = ()) -> None:
    """The citizen's own answer if offered, else the first option that leads on or to a situation this
    terminal supports (as ``kiosk simulate`` picks)."""
    j.shot("guide")
    wanted = next((o.label for o in vm.options if o.label in answers), None)
    if wanted:
        j.press("guide", wanted)
        return
    flow = j.port.controller.flow
    member, question = P.next_question(flow.plan, flow.record.answers)  # type: ignore[misc]
    option = next((o for o in question.options if o.next or (o.situation and member.item.situation(o.situation).kiosk_supported)),
                  question.options[0])
    j.press("guide", option.label)


def _form(j: Journey, vm: Any, citizen: Citizen, typed: dict[str, str]) -> None:
    j.shot("form", "error" if vm.error or any(f.error for f in vm.fields) else "")
    screen = j.driver.screen("form")
    for f in vm.fields:
        if f.id in typed and not f.error:
            continue
        if not (f.error or (f.required and not f.value)):
            continue
        local = f.id.split(".")[-1]
        picker = screen.pickers.get(f.id)
        if picker is not None and not picker.disabled:  # tapped, not typed: a choice, 是/否 or a date
            typed[f.id] = pick(j, picker, f, citizen.picked.get(local) or _default_pick(j, f))
            j.until(lambda: j.vm is not vm, "field accepted", 10)
            return
        widget = screen.inputs.get(f.id)
        if widget is None or widget.readonly:
            continue
        keys = citizen.typed.get(local) or keystrokes(DEFAULTS.get(f.type, DEFAULTS["text"]))
        if widget.text:
            j.driver.tap(widget)
            for _ in range(len(widget.text)):
                j.driver.tap(j.driver.app.keyboard.key("backspace"), frames=0)
        j.type_into(widget, keys)
        typed[f.id] = widget.text
        j.keyboard_done()
        j.until(lambda: j.vm is not vm, "field accepted", 10)
        return
    j.shot("form", "filled")
    j.press_id("form", "next")


def _default_pick(j: Journey, f: Any) -> str:
    """What a citizen with no particular answer taps: the first option (the hall's own district), 是, a past date."""
    if f.type == "district":
        return j.port.controller.services.district
    if f.type == "date":  # a year ago today: one tap on the year's －
        today = dt.date.today()
        return (today.replace(year=today.year - 1) if (today.month, today.day) != (2, 29) else today.replace(year=today.year - 1, day=28)).isoformat()
    return f.options[0].id if f.options else ""


def pick(j: Journey, picker: Any, f: Any, value: str) -> str:
    """Tap ``value`` into a form picker as a finger would; returns the value. A date is stepped to with
    the ±10 years / ±1 buttons from wherever the panel opens; a long option list is opened first."""
    tap = j.driver.tap
    if f.type == "date":
        y, m, d = (int(x) for x in value.split("-"))
        if not picker.expanded:
            tap(picker.opener)
        ids = picker.panel.ids
        while abs(y - int(picker.year)) >= 10:
            tap(ids.year_up10 if y > picker.year else ids.year_down10, frames=0)
        for part, want in (("year", y), ("month", m), ("day", d)):
            while int(getattr(picker, part)) != want:
                tap(ids[f"{part}_up" if want > getattr(picker, part) else f"{part}_down"], frames=0)
        j.driver.pump(1)
        j.shot("form", "date-picker")
        tap(ids.ok)
        return value
    if f.type == "multiselect":
        for option_id in value.split(","):
            before = j.vm
            tap(picker.buttons[option_id])
            j.until(lambda: j.vm is not before, "option toggled", 10)
        return value
    if not picker.buttons:  # a long list (districts): open it first
        tap(picker.opener)
        j.shot("form", "choices")
    tap(picker.buttons[value])
    return value


DEFAULTS = {"text": "演示", "textarea": "自助办理", "phone": "13800000001", "address": "重庆市渝北区金龙路88号",
            "date": "2020-01-01", "number": "1", "money": "100", "id_number": "500112199001011234",
            "bank_account": "6222020200112345678", "email": "1@1.cn"}


def _materials(j: Journey, vm: Any) -> None:
    from kivy.uix.button import Button

    j.shot("materials", "outline" if vm.outline else "")
    for m in vm.materials:
        if m.status not in ("pending", "rejected"):
            continue
        sources = [s.id for s in m.sources]
        source = next((s for s in ("elicense", "doccam", "scanner", "photo") if s in sources), sources[0] if sources else "")
        if source == "doccam":
            j.emulator("doccam").place("a4")  # the citizen lays the page under the document camera
        button = next(w for w in j.driver.screen("materials").walk()
                      if isinstance(w, Button) and getattr(w, "material_source", None) == (m.id, source))
        j.driver.tap(button)
        j.until(lambda: j.vm is not vm and not (j.vm.kind == "materials" and j.vm.capturing), "capture", 30)
        return
    j.press_id("materials", "next")


def _receipt(j: Journey, vm: Any) -> None:
    """Screenshot the screen and keep what the sim printer received, rendered as the paper would look."""
    j.shot("receipt")
    printer = j.emulator("printer")
    jobs = printer.wait_for_jobs(1, 10)
    if j.receipts_dir is not None and jobs:
        from drivers.printer.render import render

        j.receipts_dir.mkdir(parents=True, exist_ok=True)
        path = j.receipts_dir / f"{j.prefix}{vm.receipt_number}.png"
        path.write_bytes(render(jobs[-1], width_dots=printer.width_dots).png())
        j.receipts.append(path)
    j.last_receipt_number = vm.receipt_number
    j.receipts_seen += 1
    j.press_id("receipt", "next")


# ----- the complete journeys (demo and tests) ------------------------------------------------------
