"""No text on any screen may render as missing-glyph boxes (豆腐块): every character of every label is
in the registered CJK font's cmap, and its rendered pixels differ from the font's tofu box."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont
from kivy.core.text import Label as CoreLabel

from tests.ui.view_samples import sample_view_models

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
def test_every_screen_renders_every_glyph(ui, font, language, tmp_path):
    driver, port = ui
    path, cmap = font
    if driver.app.language != language:
        driver.app.toggle_language()
    texts: set[str] = set()
    try:
        for vm in sample_view_models(tmp_path):
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
