"""Every button and label stays readable across elder-mode switches (WCAG contrast, measured on pixels).

Found in the elder demo: the grey bottom-bar and service buttons had black text on dark grey, because a
KGhost's text colour was bound to two theme colours and the one set last won.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from kivy.core.window import Window
from kivy.graphics import opengl as gl
from kivy.uix.button import Button

from kiosk.flows.viewmodels import Action, MessageVM


def _luminance(rgb: np.ndarray) -> np.ndarray:
    c = rgb.astype(float) / 255.0
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * c[..., 0] + 0.7152 * c[..., 1] + 0.0722 * c[..., 2]


def _frame(driver: Any) -> np.ndarray:
    driver.pump(4)
    Window.dispatch("on_draw")
    width, height = Window.size
    data = gl.glReadPixels(0, 0, width, height, gl.GL_RGB, gl.GL_UNSIGNED_BYTE)
    return np.frombuffer(data, np.uint8).reshape(height, width, 3)[::-1]  # row 0 = top


def _button_contrast(frame: np.ndarray, button: Button) -> float:
    """Contrast between the button's face (its most common colour) and its darkest/lightest text pixels."""
    x0, y0 = button.to_window(button.x, button.y)
    height = frame.shape[0]
    box = frame[int(height - y0 - button.height) + 2:int(height - y0) - 2, int(x0) + 2:int(x0 + button.width) - 2]
    pixels = box.reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    face = colours[np.argmax(counts)]
    lum_face = float(_luminance(face[None, :])[0])
    lum = _luminance(pixels)
    far = lum.max() if abs(lum.max() - lum_face) > abs(lum.min() - lum_face) else lum.min()
    light, dark = max(far, lum_face), min(far, lum_face)
    return (light + 0.05) / (dark + 0.05)


def _buttons(driver: Any) -> list[Button]:
    app = driver.app
    found = [w for root in (app.screen_for("message"), app.bottom_bar) for w in root.walk()
             if isinstance(w, Button) and w.text and w.opacity > 0 and w.width > 10]
    assert len(found) >= 5
    return found


@pytest.mark.parametrize("sequence", [(False, True), (False, True, False)], ids=["to-elder", "elder-and-back"])
def test_buttons_keep_readable_text_after_elder_switches(ui: Any, sequence: tuple[bool, ...]) -> None:
    driver, _port = ui
    app = driver.app
    vm = None
    for elder in sequence:
        vm = MessageVM(elder_mode=elder, title="提示", text="打印机缺纸，请到窗口取回执",
                       actions=(Action("retry", "重试", True), Action("cancel", "退出")))
        app.show(vm)
        driver.pump(3)
    frame = _frame(driver)
    weakest = min((_button_contrast(frame, b), b.text) for b in _buttons(driver))
    assert weakest[0] >= 4.5, f"{weakest[1]!r}: contrast {weakest[0]:.1f}:1 (elder={sequence[-1]})"
    app.show(MessageVM(elder_mode=False, title="", text=""))  # leave normal mode for the next test
    driver.pump(2)


def test_the_measure_sees_unreadable_text(ui: Any) -> None:
    """Negative control: black text on the dark elder grey measures below 4.5:1."""
    driver, _port = ui
    app = driver.app
    app.show(MessageVM(elder_mode=True, title="提示", text="x", actions=(Action("cancel", "退出"),)))
    driver.pump(3)
    ghost = app.bottom_bar.ids.language
    ghost.color = (0, 0, 0, 1)
    try:
        assert _button_contrast(_frame(driver), ghost) < 4.5
    finally:
        app.show(MessageVM(elder_mode=False, title="", text=""))
        driver.pump(2)


def test_a_message_marks_its_way_forward(ui: Any) -> None:
    driver, _port = ui
    app = driver.app
    app.show(MessageVM(title="户籍证明出具", text="您的情形需到窗口办理", actions=(
        Action("print_notice", "打印告知书", True), Action("back", "重新选择"), Action("cancel", "退出"))))
    driver.pump(2)
    tones = {b.text: b.tone for b in app.screen_for("message").ids.actions.children}
    assert tones == {"打印告知书": "primary", "重新选择": "ghost", "退出": "ghost"}


def test_a_toned_label_keeps_its_tone_across_elder_switches(ui: Any) -> None:
    from kivy.factory import Factory

    driver, _port = ui
    theme = driver.app.theme
    error = Factory.KLabel(text="截止年月不能晚于今天", tone="danger")
    for elder in (True, False):
        theme.elder = elder
        assert tuple(error.color) == tuple(theme.danger)
