"""Display-column layout: a hanzi is two columns on the printer, mixed lines must still line up."""

from __future__ import annotations

import pytest

from drivers.printer import layout as L
from kiosk.terminal.receipt import Align


@pytest.mark.parametrize("ch,width", [("a", 1), ("渝", 2), ("，", 2), ("￥", 2), ("【", 2), ("“", 2), ("𠮷", 2), ("䶮", 2), ("\u0301", 0)])
def test_char_width_in_chinese_mode(ch: str, width: int) -> None:
    assert L.char_width(ch) == width


def test_utf8_mode_uses_east_asian_width_for_narrow_chars() -> None:
    assert L.char_width("“", double_byte_mode=False) == 2  # ambiguous: Chinese fonts draw it full-width
    assert L.char_width("→", double_byte_mode=False) == 2 and L.char_width("ä", double_byte_mode=False) == 1
    assert L.char_width("ｱ", double_byte_mode=False) == 1  # halfwidth katakana: 'H'
    assert L.char_width("ｱ", double_byte_mode=True) == 2  # a 4-byte GB18030 code prints in the 24-dot font


@pytest.mark.parametrize("cols", [32, 48])
def test_wrap_mixed_never_exceeds_columns(cols: int) -> None:
    text = "申请人张**提交的材料齐全、符合法定形式，case CQ2026112600000123 已受理，请于20个工作日后凭回执领取。ASCII words stay whole please"
    lines = L.wrap(text, cols)
    assert all(L.text_width(line) <= cols for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert any(L.text_width(line) >= cols - 1 for line in lines[:-1])  # lines are filled, not cut early


def test_closing_punctuation_never_starts_a_line() -> None:
    # 15 hanzi fill 30 columns of 31; the comma would start line two
    text = "一二三四五六七八九十一二三四五，六七"
    lines = L.wrap(text, 31)
    assert not lines[1].startswith("，")
    assert lines[1].startswith("五，")


def test_ascii_word_moves_down_whole() -> None:
    lines = L.wrap("受理编号 abcdefgh", 16)
    assert lines == ["受理编号", "abcdefgh"]


def test_table_columns_line_up_with_mixed_hanzi_and_ascii() -> None:
    rows = (("居民身份证", "电子证照", "1"), ("ID card copy", "scan", "12"), ("户口簿 page 1", "高拍件", "2"))
    lines = L.table(("材料名称", "形式", "份数"), rows, 48, (6, 3, 2), (Align.LEFT, Align.LEFT, Align.RIGHT))
    widths = L.column_widths(3, 48, (6, 3, 2))
    form_col = widths[0] + 1
    for line in lines:
        assert L.text_width(line) <= 48
        # the second column starts at the same display column on every line
        prefix, width = "", 0
        for ch in line:
            if width >= form_col:
                break
            prefix += ch
            width += L.char_width(ch)
        assert width == form_col
        assert line[len(prefix) - 1] == " "
    # right-aligned counts end at the last column
    assert all(L.text_width(line) == 48 for line in lines)


def test_table_cells_wrap_inside_their_column() -> None:
    lines = L.table(("名称", "份数"), (("近期免冠彩色证件照片两张", "2"),), 20, (3, 1))
    assert len(lines) == 3 and all(L.text_width(x) <= 20 for x in lines)
    assert lines[1].endswith("2")


def test_key_value_right_aligns_or_wraps() -> None:
    assert L.key_value("收费", "￥12.50", 32) == ["收费：" + " " * (32 - 6 - 7) + "￥12.50"]
    long = L.key_value("取件地址", "重庆市渝北区龙溪街道新南路一号政务服务中心二楼", 32)
    assert len(long) > 1 and all(L.text_width(x) <= 32 for x in long)
    assert long[1].startswith(" " * 10)


def test_pad_alignment() -> None:
    assert L.pad("渝a", 7, Align.RIGHT) == "    渝a"
    assert L.pad("渝a", 7, Align.CENTER) == "  渝a  "


def test_ascii_run_after_hanzi_is_not_split() -> None:
    lines = L.wrap("申请人：张**（5001**********2620）", 32)
    assert lines == ["申请人：张**（", "5001**********2620）"]
