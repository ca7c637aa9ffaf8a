"""The bytes we send: Chinese mode entered explicitly, GB18030/GBK/UTF-8 by config, QR native or raster."""

from __future__ import annotations

import pytest
from escpos.printer import Dummy

from drivers.printer import protocol as P
from drivers.printer.encoder import PROFILE_58, PROFILE_80, Encoder, PrinterProfile, encode_document
from kiosk.receipts import build_acceptance_receipt, build_test_page
from kiosk.terminal.receipt import ReceiptDocument
from tests.printer.conftest import CASE_URL


def test_library_text_mangles_what_we_print_right() -> None:
    """Characterises python-escpos 3.1: why we do not use text() for Chinese."""
    d = Dummy()
    d.text("￥12.50，【】")
    assert b"?" in d.output and "￥".encode("gb18030") not in d.output
    ours = Encoder(PROFILE_80).encode(ReceiptDocument().text("￥12.50，【】"))
    assert "￥12.50，【】".encode("gb18030") in ours


def test_receipt_enters_chinese_mode_before_any_text(acceptance) -> None:  # type: ignore[no-untyped-def]
    data = Encoder(PROFILE_80).encode(build_acceptance_receipt(acceptance))
    assert data.startswith(P.INIT + P.CHINESE_ON)
    assert "￥".encode("gb18030") == b"\xa3\xa4" and b"\xa3\xa4" + b"12.50" in data
    assert "，".encode("gb18030") in data and "受理回执".encode("gb18030") in data
    assert "张三丰".encode("gb18030") not in data  # masked on paper too
    assert b"500112198703152620" not in data and b"13812345678" not in data
    assert data.rstrip(b"\x00\x01").endswith(P.GS + b"V")


def raster_lines(data: bytes) -> list[tuple[int, int, bytes]]:
    """(width in dots, height, bits) of every GS v 0 in ``data``."""
    from drivers.printer.tokens import tokenize

    tokens, _ = tokenize(data)
    out = []
    for tok in tokens:
        if tok.kind == "GS v":
            xb, yd = tok.args[1] | tok.args[2] << 8, tok.args[3] | tok.args[4] << 8
            out.append((xb * 8, yd, tok.args[5:]))
    return out


def inked_cells(width: int, height: int, bits: bytes, cell: int = 24) -> list[bool]:
    """Whether each ``cell``-dot column band of a raster line has ink (a drawn character)."""
    xb = width // 8
    cols = {x for y in range(height) for x in range(width) if bits[y * xb + x // 8] & (0x80 >> (x % 8))}
    return [any(c in cols for c in range(i, i + cell)) for i in range(0, width - cell + 1, cell)]


@pytest.mark.parametrize("options,rare,as_text", [
    ({}, "𠮷", "䶮"),  # GB18030 head: Extension A as text, Extension B (four-byte, optional in the font) as a picture
    ({"encoding": "gbk"}, "䶮", "喆"),  # GBK head: 喆 is GBK, 䶮 is not
    ({"font_charset": "gb2312"}, "喆", "张"),  # a GB18030-speaking head whose font is GB2312 only
])
def test_a_line_the_head_cannot_print_goes_out_as_a_raster_line_and_the_rest_as_text(options, rare: str, as_text: str) -> None:
    profile = PrinterProfile.from_options({"paper": "58", **options})
    enc = Encoder(profile)
    doc = ReceiptDocument().text(f"申请人：{as_text}三").text(f"生僻字：{rare}").text("合计：￥5")
    data = enc.encode(doc)
    assert f"申请人：{as_text}三".encode(profile.encoding) in data and "合计：￥5".encode(profile.encoding) in data
    assert "生僻字".encode(profile.encoding) not in data  # that whole line is a picture
    [(width, height, bits)] = raster_lines(data)
    assert (width, height) == (5 * 24, 30)  # five full-width cells, one line pitch
    assert inked_cells(width, height, bits) == [True] * 5
    assert enc.unprintable(f"生僻字：{rare}") == rare and enc.unprintable(as_text) == ""


def test_a_rare_character_in_a_table_or_key_value_is_a_raster_line_too() -> None:
    enc = Encoder(PrinterProfile.from_options({"encoding": "gbk"}))
    data = enc.encode(ReceiptDocument().kv("姓名", "王𠮷").kv("金额", "￥5"))
    assert len(raster_lines(data)) == 1 and "金额".encode("gbk") in data


def test_a_character_no_font_draws_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="no installed font"):
        Encoder(PROFILE_58).encode(ReceiptDocument().text("\U000e0100x"))  # a variation selector: no glyph anywhere


def test_gbk_and_utf8_profiles() -> None:
    doc = ReceiptDocument().text("金额：￥5")
    gbk = Encoder(PrinterProfile.from_options({"encoding": "GBK"})).encode(doc)
    assert "金额：￥5".encode("gbk") in gbk and P.CHINESE_ON in gbk
    utf = Encoder(PrinterProfile.from_options({"encoding": "utf8"})).encode(doc)
    assert "金额：￥5".encode() in utf and P.CHINESE_OFF in utf


@pytest.mark.parametrize("bad", [{"paper": "76"}, {"encoding": "big5"}, {"qr": "svg"}])
def test_bad_profile_options_are_clear_errors(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        PrinterProfile.from_options(bad)


def test_qr_native_and_image_fallback() -> None:
    doc = ReceiptDocument().qr(CASE_URL, size=6)
    native = Encoder(PROFILE_80).encode(doc)
    assert P.qr_native(CASE_URL.encode(), 6) in native and b"\x1dv0" not in native
    image = Encoder(PrinterProfile.from_options({"qr": "image"})).encode(doc)
    assert b"\x1d(k" not in image and b"\x1dv0" in image


def test_text_and_image_mode_sizes(acceptance) -> None:  # type: ignore[no-untyped-def]
    doc = build_acceptance_receipt(acceptance)
    text = encode_document(doc, PROFILE_80, "text")
    image = encode_document(doc, PROFILE_80, "image")
    assert len(image) > 5 * len(text)
    assert b"\x1c&" not in image  # no text at all: the whole receipt is a raster


def test_test_page_fits_58mm_in_columns() -> None:
    from datetime import datetime

    data = Encoder(PROFILE_58).encode(build_test_page("T-1", datetime(2026, 1, 1)))
    assert "【】，。、“”".encode("gb18030") in data
    assert "生僻字".encode("gb18030") not in data and len(raster_lines(data)) == 1  # 𠮷 makes its line a picture


def test_status_decoding_never_guesses_ok() -> None:
    assert P.decode_status({1: None, 2: None, 3: None, 4: None}).paper == "unknown"
    assert P.decode_status({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x00}).paper == "unknown"  # malformed byte
    assert P.decode_status({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}) == P.PrinterState(True, "ok", False, False, False)
    assert P.decode_status({1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x72}).paper == "out"
    assert P.decode_status({1: 0x1A, 2: 0x32}).paper == "out"  # paper end from the offline cause alone
    assert P.decode_status({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E}).paper == "near_end"
    s = P.decode_status({1: 0x1A, 2: 0x16, 3: 0x1A, 4: 0x12})
    assert s.cover_open and s.cutter_error and s.online is False


@pytest.mark.parametrize("paper,cover,cutter", [("ok", False, False), ("near_end", False, False), ("out", False, False),
                                                ("ok", True, False), ("ok", False, True)])
def test_status_encoding_round_trips(paper: str, cover: bool, cutter: bool) -> None:
    s = P.decode_status(P.encode_status(True, paper, cover, cutter))  # type: ignore[arg-type]
    assert (s.paper, s.cover_open, s.cutter_error) == (paper, cover, cutter)


def test_gbk_profile_prints_halfwidth_yen_as_fullwidth() -> None:
    data = Encoder(PrinterProfile.from_options({"encoding": "gbk"})).encode(ReceiptDocument().text("¥5"))
    assert b"\xa3\xa45" in data and b"\x81\x30\x84\x36" not in data


def test_indented_paragraph_wraps_under_its_indent() -> None:
    from drivers.printer.render import render

    doc = ReceiptDocument().text("依据：《重庆市城乡居民基本养老保险办法》第十条", indent=4)
    lines = render(Encoder(PROFILE_58).encode(doc), width_dots=384).lines
    assert len(lines) == 2 and all(line.startswith("    ") and not line.startswith("     ") for line in lines)
