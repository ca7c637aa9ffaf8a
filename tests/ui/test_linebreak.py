"""screens.linebreak: the Chinese line-breaking rules, with a fixed-width measure (CJK 1 em, Latin ½ em), so
every case is exact. The labels that use it are checked on real screens by the demo's layout checker."""

from __future__ import annotations

import pytest

from screens.linebreak import CLOSING, OPENING, break_lines, units


def measure(text: str) -> float:
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def test_a_line_that_fits_is_left_alone() -> None:
    assert break_lines("查询打印", 4, measure) == ["查询打印"]


@pytest.mark.parametrize("text, width", [("办不成事反映", 5), ("查询打印", 3), ("个人社保参保证明查询打印", 11)])
def test_no_single_character_last_line(text: str, width: float) -> None:
    lines = break_lines(text, width, measure)
    assert "".join(lines) == text
    assert len(lines) == 2 and len(lines[-1]) >= 2, lines
    assert all(measure(line) <= width for line in lines)


def test_kivy_style_greedy_break_would_orphan() -> None:
    """The control: a greedy fill would leave "映" alone; the rule moves "反" down."""
    assert break_lines("办不成事反映", 5, measure) == ["办不成事", "反映"]


def test_one_ideograph_beside_a_count_is_an_orphan_too() -> None:
    assert break_lines("市场准入与投资 (6)", 6.5, measure) == ["市场准入与", "投资 (6)"]


def test_closing_punctuation_never_starts_a_line() -> None:
    text = "请携带身份证原件（复印件无效），到窗口办理。"
    for width in range(4, 22):
        lines = break_lines(text, width, measure)
        assert "".join(lines) == text
        assert not any(line[0] in CLOSING for line in lines), (width, lines)
        assert not any(line[-1] in OPENING for line in lines), (width, lines)


def test_latin_words_and_numbers_stay_whole() -> None:
    lines = break_lines("受理编号 CQ500112202612020001 已生成", 14, measure)
    assert any("CQ500112202612020001" in line for line in lines), lines


def test_a_url_wider_than_the_line_breaks_after_a_separator() -> None:
    url = "https://zwfw.cq.gov.cn/case/CQ5001122026"
    lines = break_lines(url, 12, measure)
    assert "".join(lines) == url
    assert lines[0].endswith("/"), lines
    assert all(measure(line) <= 12 for line in lines)


def test_newlines_are_kept_and_spaces_do_not_start_lines() -> None:
    lines = break_lines("第一行\nhello world again", 6, measure)
    assert lines[0] == "第一行"
    assert not any(line.startswith(" ") for line in lines), lines


def test_units_glue_marks() -> None:
    assert units("（复印件）。") == ["（复", "印", "件）。"]


def test_home_tiles_break_by_the_rules_on_screen(ui) -> None:
    """The real home screen in elder mode (narrow tiles, big type): every wrapped button or label draws lines
    that fit its box, no single-character last line and no line opening with a closing mark."""
    from kiosk.content import items_dir
    from kiosk.flows.controller import HIGH_FREQUENCY, SERVICES
    from kiosk.flows.search import ItemIndex
    from kiosk.flows.viewmodels import AttractVM, HomeVM
    from kiosk.items import load_catalog
    from screens.widgets.wrap import ChineseWrap

    driver, port = ui
    index = ItemIndex(load_catalog(items_dir()))
    entries = {e.code: e for e in index.entries()}
    frequent = tuple(entries[c] for c in HIGH_FREQUENCY if c in entries)
    try:
        port.publish(HomeVM(elder_mode=True, speak="", title="渝快办", categories=index.categories(),
                            high_frequency=frequent, services=SERVICES))
        driver.pump(6)
        wrapped = [w for w in driver.screen("home").walk() if isinstance(w, ChineseWrap) and "\n" in w.drawn_text]
        assert wrapped, "elder mode wraps some tile"
        for widget in wrapped:
            lines = widget.drawn_text.split("\n")
            assert len(lines[-1].strip()) >= 2 and lines[-1][0] not in CLOSING, lines
            assert widget.texture_size[0] <= widget.width + 1
    finally:
        port.publish(AttractVM(hall_name="渝北区政务服务中心"))
        driver.pump(4)
