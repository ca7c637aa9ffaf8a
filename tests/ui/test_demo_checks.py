"""The headless demo's own checks: the screen list it demands is the app's, and shot names parse."""

from __future__ import annotations

from pathlib import Path

from screens.app import SCREEN_MODULES
from sim.ui.checks import EVERY_SCREEN, GlyphCheck, kind_of, missing_screens


def test_the_demo_demands_every_screen_the_app_has() -> None:
    assert sorted(EVERY_SCREEN) == sorted(SCREEN_MODULES)


def test_shot_names_map_to_their_screen_kind() -> None:
    assert kind_of("elder-09-form-filled.png") == "form"
    assert kind_of("services-04-case_status.png") == "case_status"
    assert kind_of("idle-06-maintenance-login.png") == "maintenance"
    assert missing_screens(["a-01-attract.png", "a-02-home-search.png"])[:2] == ["identify", "guide"]


def test_the_glyph_check_names_a_character_the_font_lacks(ui) -> None:
    from kivy.uix.label import Label

    driver, _port = ui
    check = GlyphCheck(Path(driver.app.font.path))
    check.check("x.png", [Label(text="社保卡 䶮 𠮷")])
    assert check.missing == {}
    check.check("y.png", [Label(text="社保😀")])
    assert check.missing == {"y.png": ["😀"]}
