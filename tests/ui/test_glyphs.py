"""No text on any screen may render as missing-glyph boxes (豆腐块): every character of every label is
in the registered CJK font's cmap, and its rendered pixels differ from the font's tofu box."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont
from kivy.core.text import Label as CoreLabel

from kiosk.flows import viewmodels as V
from screens.demo.pictures import face_preview, page_on_desk

TOFU_PROBE = "\u0378"  # unassigned: every font draws its .notdef box for it


def _pixels(ch: str, font: str) -> bytes:
    label = CoreLabel(text=ch, font_name=font, font_size=32)
    label.refresh()
    return bytes(label.texture.pixels)


def _missing(texts: set[str], font: str, cmap: set[int]) -> dict[str, str]:
    tofu = _pixels(TOFU_PROBE, font)
    bad: dict[str, str] = {}
    for ch in sorted({c for t in texts for c in t if not c.isspace()}):
        if ord(ch) not in cmap:
            bad[ch] = "not in cmap"
        elif _pixels(ch, font) == tofu:
            bad[ch] = "renders as the tofu box"
    return bad


def _sample_vms(port) -> list[V.ViewModel]:
    item = port.catalog.items["00011200600001"]
    port.item, port.situation = item, item.situations[1]
    port.values.update({"name": "张䶮", "id_number": "50011219900101123X", "child_name": "王𠮷"})
    jpeg, corners = page_on_desk()
    port.material_state[item.materials[0].id] = "captured"
    port._accepted()
    receipt = port.current
    port.delivery = ""
    return [port.attract(), port.home("shbzk"), replace_vm(port.attract(), out_of_service=True, out_of_service_reason="身份证阅读器故障"),
            V.IdentifyVM(item_name=item.name, methods=(V.Option("agent", "代办"),), phase="face", role="agent",
                         guidance="请正对摄像头，保持不动", preview_jpeg=face_preview()),
            V.GuideVM(item_name=item.name, question_id="q", question=item.questions[0].text,
                      options=tuple(V.Option(o.id, o.label) for o in item.questions[0].options)),
            V.NoticeVM(item_name=item.name, situation="成年人首次申领", materials=(V.SummaryRow("居民身份证", "原件1份"),),
                       conditions=item.conditions[:2], time_limit="5个工作日", fees="不收费"),
            port.form_vm(), port.materials_vm(jpeg, corners, "doccam"),
            V.SignatureVM(item_name=item.name, statement="本人承诺所填信息真实有效", signer="张*"),
            port.confirm_vm(), V.ProgressVM(message="正在提交，请稍候", cancellable=True), receipt,
            V.EvaluateVM(), V.CaseStatusVM(phase="result", cases=(V.CaseRow("YKB1", item.name, "review", "审核中", "今天"),)),
            port.centres_vm(), port.faq_vm("社保卡丢了"), V.HelpVM(requested=True, request_id="H00001"),
            V.MessageVM(title="提示", text="打印机缺纸，回执号已显示在屏幕上", level="error")]


def replace_vm(vm, **changes):
    from dataclasses import replace

    return replace(vm, **changes)


def _screen_texts(driver, kind: str) -> set[str]:
    texts = set()
    for widget in [driver.app.screen_for(kind), driver.app.bottom_bar]:
        for w in widget.walk():
            text = getattr(w, "text", None)
            if isinstance(text, str) and text and w.opacity > 0:
                texts.add(text)
    return texts


@pytest.fixture(scope="module")
def font(ui):
    driver, _ = ui
    path = str(driver.app.font.path)
    return path, set(TTFont(path, lazy=True).getBestCmap())


def test_the_checker_catches_a_missing_glyph(font):
    path, cmap = font
    assert _missing({"社保😀"}, path, cmap) == {"😀": "not in cmap"}
    assert _pixels(TOFU_PROBE, path) != _pixels("社", path)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_screen_renders_every_glyph(ui, font, language):
    driver, port = ui
    path, cmap = font
    if driver.app.language != language:
        driver.app.toggle_language()
    texts: set[str] = set()
    try:
        for vm in _sample_vms(port):
            port.publish(vm)
            driver.wait_for(vm.kind)
            texts |= _screen_texts(driver, vm.kind)
        driver.app.open_maintenance()
        driver.pump(2)
        texts |= _screen_texts(driver, "maintenance")
        keyboard = driver.app.keyboard
        for mode in ("pinyin", "letters", "id_number"):
            keyboard.set_mode(mode)
            texts |= {w.text for w in keyboard.walk() if isinstance(getattr(w, "text", None), str)}
    finally:
        driver.app.hide_keyboard()
        if driver.app.language != "zh_CN":
            driver.app.toggle_language()
        port.send(__import__("kiosk.flows.intents", fromlist=["Cancel"]).Cancel())
        driver.pump(2)
    joined = "".join(texts)
    assert "䶮" in joined and "𠮷" in joined  # the rare characters really were on screen
    assert _missing(texts, path, cmap) == {}
