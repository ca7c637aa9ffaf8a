"""The rendered receipt, read back as a person (or a phone) would: text, ￥, punctuation, a decodable QR."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image

from drivers.printer import protocol as P
from drivers.printer.encoder import PROFILE_58, PROFILE_80, Encoder, PrinterProfile, encode_document
from drivers.printer.render import CELL, _glyph, render
from kiosk.receipts import build_acceptance_receipt, build_notice, build_test_page
from kiosk.terminal.receipt import Align, ReceiptDocument
from tests.printer.conftest import CASE_URL


def _decode_qr(img: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img.convert("L"))]


def _ink(img: Image.Image) -> int:
    return int((np.asarray(img.convert("L")) < 128).sum())


def test_acceptance_receipt_png_shows_text_yen_punctuation_and_qr(acceptance, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for profile in (PROFILE_80, PROFILE_58):
        data = Encoder(profile).encode(build_acceptance_receipt(acceptance))
        result = render(data, width_dots=profile.dots)
        png = tmp_path / f"receipt-{profile.name}.png"
        png.write_bytes(result.png())
        assert result.unknown == [] and result.missing_glyphs == set() and result.cuts == 1
        text = "".join(line.strip() for line in result.lines)  # wrapped lines joined back
        assert "受理回执" in text and "CQ2026112600000123" in text and "张**" in text
        assert "￥12.50" in text and "（" in text and "，" in text and "“渝快办”" in text
        assert "138****5678" in text and "13812345678" not in text
        assert _decode_qr(Image.open(png)) == [CASE_URL]
        assert Image.open(png).width == profile.dots + 32


def test_yen_and_punctuation_glyphs_are_drawn_not_question_marks() -> None:
    """Compare glyph regions with the font's own glyphs: ￥ and 【 are drawn, not '?' or tofu."""
    for ch in "￥【，”䶮𠮷":
        page = render(P.CHINESE_ON + b"A" + ch.encode("gb18030") + b"\n", width_dots=96, cut_marks=False, margin=0).pages[0]
        region = page.crop((12, 0, 12 + CELL, CELL))
        assert np.array_equal(np.asarray(region), np.asarray(_glyph(ch, True, False))), ch
        assert not np.array_equal(np.asarray(region), np.asarray(_glyph("?", True, False)))
        assert _ink(region) > 10, ch


def test_library_output_renders_question_marks_where_ours_renders_yen() -> None:
    from escpos.printer import Dummy

    d = Dummy()
    d.text("￥12.50，\n")
    theirs = render(d.output, width_dots=384)
    ours = render(Encoder(PROFILE_58).encode(ReceiptDocument().text("￥12.50，")), width_dots=384)
    assert theirs.lines[0] == "?12.50?" and ours.lines[0] == "￥12.50，"


def test_sizes_alignment_and_bold_change_the_picture() -> None:
    def one(doc: ReceiptDocument) -> Image.Image:
        return render(Encoder(PROFILE_58).encode(doc), width_dots=384, cut_marks=False, margin=0).pages[0]

    small = one(ReceiptDocument().text("渝"))
    big = one(ReceiptDocument().text("渝", width=2, height=2))
    assert big.height > small.height and _ink(big) > 3 * _ink(small)
    bold = one(ReceiptDocument().text("渝", bold=True))
    assert _ink(bold) > _ink(small)
    right = np.asarray(one(ReceiptDocument().text("渝", align=Align.RIGHT)))
    cols = np.where((right < 128).any(axis=0))[0]
    assert cols.min() > 384 - CELL - 2 and cols.max() < 384


def test_image_mode_receipt_is_the_same_picture_and_decodes(acceptance) -> None:  # type: ignore[no-untyped-def]
    doc = build_acceptance_receipt(acceptance)
    raster = render(encode_document(doc, PROFILE_80, "image"), width_dots=576)
    assert raster.unknown == [] and raster.lines == []
    assert _decode_qr(raster.image) == [CASE_URL]


def test_qr_image_fallback_decodes() -> None:
    prof = PrinterProfile.from_options({"paper": "58", "qr": "image"})
    result = render(Encoder(prof).encode(ReceiptDocument().text("进度查询").feed(1).qr(CASE_URL, size=4).cut()), width_dots=384)
    assert result.qr_payloads == [] and _decode_qr(result.image) == [CASE_URL]


def test_notice_lists_every_problem_with_its_rule(notice) -> None:  # type: ignore[no-untyped-def]
    text = "".join(line.strip() for line in render(Encoder(PROFILE_80).encode(build_notice(notice))).lines)
    assert "一次性告知书" in text and "李*" in text and "李四" not in text
    for p in notice.problems:
        assert p.material in text and p.rule in text
    assert "第十条" in text and "第十一条" in text


def test_test_page_renders_every_feature() -> None:
    from datetime import datetime

    result = render(Encoder(PROFILE_58).encode(build_test_page("T-1", datetime(2026, 1, 1), "https://example.test/qr")), width_dots=384)
    assert result.unknown == [] and result.missing_glyphs == set()
    text = "\n".join(result.lines)
    assert "【】，。、“”" in text and "￥12.50" in text
    assert "生僻字" not in text  # 𠮷 is beyond the head's font: that line is a raster picture, not text
    assert result.cuts == 1 and _decode_qr(result.image) == ["https://example.test/qr"]


def test_a_raster_line_looks_like_the_same_line_printed_as_text() -> None:
    """The picture the encoder sends for a line the head cannot print is the line the head would have printed."""
    line = "申请人：张三"
    as_text = render(Encoder(PROFILE_58).encode(ReceiptDocument().text(line)), width_dots=384, cut_marks=False, margin=0)
    gb2312_only = Encoder(PrinterProfile.from_options({"paper": "58", "font_charset": "gb2312"}))
    assert gb2312_only.line(line) == "申请人：张三".encode("gb18030") + b"\n"  # all of it is GB2312: text
    picture = render(P.INIT + gb2312_only.line(line + "喆"), width_dots=384, cut_marks=False, margin=0)
    assert picture.lines == [] and as_text.lines == [line]
    text_ink = np.asarray(as_text.pages[0])[:30, :144] < 128
    raster_ink = np.asarray(picture.pages[0])[:30, :144] < 128
    assert text_ink.sum() > 200 and (text_ink == raster_ink).mean() > 0.97  # the same six characters, dot for dot


def test_unknown_commands_are_reported_not_ignored() -> None:
    result = render(P.INIT + b"\x1b\x7e\x01" + b"\x1dB\x01" + "渝".encode("gb18030") + b"\n\x1b\x64")
    assert any("unknown bytes 1b 7e" in u for u in result.unknown)
    assert any(u.startswith("GS B") for u in result.unknown)
    assert any("truncated" in u for u in result.unknown)
    assert result.lines[0].endswith("渝")
