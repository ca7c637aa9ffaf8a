"""A screen switch draws only the new screen, complete, from its first frame.

Found in the elder-mode demo: Kivy's NoTransition kept the old screen in the tree for one more clock tick,
so the first frame after a tap showed the 一次性告知 and the half-laid-out form on top of each other.
The frames are read from the back buffer just before the swap (an ``on_flip`` handler runs before the
window's own flip), i.e. exactly what the screen would show.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.graphics import opengl as gl

from kiosk.flows.viewmodels import AttractVM, FieldVM, FormVM, NoticeVM, SummaryRow

ITEM = "住房公积金个人缴存证明打印"


def _notice(elder: bool) -> NoticeVM:
    return NoticeVM(elder_mode=elder, title=f"{ITEM} · 一次性告知", item_name=ITEM, situation="打印个人缴存证明",
                    materials=(SummaryRow("居民身份证", "原件1份，可用电子证照免提交"),),
                    conditions=("在重庆市住房公积金管理中心开立个人账户的缴存职工",), time_limit="即办",
                    fees="以办事指南为准")


def _form(elder: bool) -> FormVM:
    return FormVM(elder_mode=elder, title=f"{ITEM} · 填写申请信息", item_name=ITEM, can_back=True,
                  fields=(FieldVM("name", "姓名", "text", value="李秀英", prefilled=True),
                          FieldVM("id_number", "公民身份号码", "id_number", value="500240194506083025",
                                  prefilled=True, keyboard="id")))


def _next_frame(driver: Any) -> np.ndarray:
    """Run one frame and return what it drew (read before the swap)."""
    grabbed: list[np.ndarray] = []

    def grab(*_args: Any) -> None:
        width, height = Window.size
        data = gl.glReadPixels(0, 0, width, height, gl.GL_RGB, gl.GL_UNSIGNED_BYTE)
        grabbed.append(np.frombuffer(data, np.uint8).reshape(height, width, 3).copy())

    Window.bind(on_flip=grab)
    try:
        for _ in range(5):  # a frame is drawn only when something changed; the switch changes everything
            EventLoop.idle()  # one turn of the app's own loop: the bridge's trigger shows the screen in its tick
            if grabbed:
                return grabbed[0]
    finally:
        Window.unbind(on_flip=grab)
    raise AssertionError("no frame was drawn after the switch")


def _settled_frame(driver: Any) -> np.ndarray:
    driver.pump(6)
    Window.canvas.ask_update()
    return _next_frame(driver)


def _in_tree(app: Any) -> list[str]:
    return [s.name for s in app.manager.children]


def _where(a: np.ndarray, b: np.ndarray) -> str:
    """The box (x0, y0, x1, y1 from the bottom left) holding the differing pixels, for the failure message."""
    ys, xs = np.nonzero(np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 24)
    return f"in box {xs.min()},{ys.min()}–{xs.max()},{ys.max()}" if len(xs) else "nowhere"


def _differing_share(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 24)) / (a.shape[0] * a.shape[1])


def _first_frame_after_switch(driver: Any, elder: bool) -> tuple[np.ndarray, np.ndarray]:
    app = driver.app
    app.show(AttractVM(elder_mode=elder, hall_name="测试大厅"))
    app.show(_form(elder))
    reference = _settled_frame(driver)  # the form alone, fully laid out
    app.show(_notice(elder))
    driver.pump(6)
    app.bridge.publish(_form(elder))  # as the flow layer does: shown from a Clock trigger inside the frame's tick
    first = _next_frame(driver)
    return first, reference


@pytest.mark.parametrize("elder", [True, False], ids=["elder", "normal"])
def test_first_frame_after_a_switch_is_the_new_screen_only(ui: Any, elder: bool) -> None:
    driver, _port = ui
    first, reference = _first_frame_after_switch(driver, elder=elder)
    share = _differing_share(first, reference)
    assert share < 0.002, f"first frame differs from the settled form in {share:.1%} of the pixels {_where(first, reference)}"
    assert _in_tree(driver.app) == ["form"], "old screen still in the tree"


def test_the_check_sees_two_screens_drawn_together(ui: Any) -> None:
    """Negative control: the notice and the form in the tree at once are caught by the same measure."""
    driver, _port = ui
    app = driver.app
    app.show(_form(True))
    reference = _settled_frame(driver)
    notice = app.screen_for("notice")
    notice.render(_notice(True))
    app.manager.real_add_widget(notice)  # what NoTransition did for one frame
    try:
        mixed = _next_frame(driver)
    finally:
        app.manager.real_remove_widget(notice)
    assert _differing_share(mixed, reference) > 0.01
