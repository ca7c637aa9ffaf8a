"""ReceiptDocument → ESC/POS bytes for one printer profile (paper width, encoding, QR support).

Why here and not python-escpos ``text()``/``qr()``: we own the Chinese encoding (FS & + GB18030/GBK
bytes), the column layout (a hanzi is two columns) and the QR choice per profile (native GS ( k, or
a raster image for heads without it). The library only carries the bytes. A line with a character
the head's resident font cannot draw (𠮷 on a GBK head, 喆 on a GB2312 one) goes out as a raster
picture of that line, drawn with our CJK font, so one rare name never refuses the whole receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from drivers.printer import layout
from drivers.printer import protocol as P
from drivers.printer.options import PrinterOptions
from kiosk.terminal.receipt import Align, Cut, Feed, ImageBlock, KeyValue, QrCode, ReceiptDocument, Separator, Table, TextLine

#: What a head's resident font draws: GB2312 (the cheapest heads), GBK, or GB18030's BMP part (its
#: four-byte supplementary planes — Extension B 𠮷 — are optional in GB 18030-2005, so we never trust them).
FONT_CHARSETS = ("gb2312", "gbk", "gb18030")
#: Half-width signs GBK lacks but whose full-width twins it has (GB18030 would send 4 bytes a GBK head garbles).
GBK_SUBSTITUTES = str.maketrans({"¥": "￥", "€": "EUR"})
ALIGN_CODE = {Align.LEFT: 0, Align.CENTER: 1, Align.RIGHT: 2}


@dataclass(frozen=True)
class PrinterProfile:
    """One printer model's facts. ``cols`` half-width columns of 12 dots; ``dots`` printable width."""

    name: str = "80mm"
    cols: int = 48
    dots: int = 576
    encoding: str = "gb18030"
    native_qr: bool = True
    cutter: bool = True
    cut_feed_lines: int = 4
    qr_ec: str = "M"
    font_charset: str = ""  # empty: what the encoding carries (gbk → gbk, otherwise GB18030's BMP part)

    @property
    def double_byte(self) -> bool:
        return self.encoding in ("gb18030", "gbk")

    @property
    def charset(self) -> str:
        return self.font_charset or ("gbk" if self.encoding == "gbk" else "gb18030")

    @classmethod
    def from_options(cls, options: PrinterOptions | Mapping[str, Any]) -> PrinterProfile:
        """From the printer options (paper_mm, encoding, qr, cutter); a plain mapping is validated (ValueError)."""
        if not isinstance(options, PrinterOptions):
            options = PrinterOptions.model_validate(dict(options))
        base = PROFILE_58 if options.paper_mm == 58 else PROFILE_80
        return replace(base, encoding=options.encoding, native_qr=options.qr == "native", cutter=options.cutter,
                       font_charset=options.font_charset or "")


PROFILE_58 = PrinterProfile("58mm", 32, 384)
PROFILE_80 = PrinterProfile("80mm", 48, 576)


class Encoder:
    """Encodes documents for one profile. Strings that the chosen encoding cannot carry raise ValueError."""

    def __init__(self, profile: PrinterProfile, logo: Any = None) -> None:
        self.profile = profile
        self.logo = logo  # PIL image printed centred at the top of every receipt (the hall's or 渝快办 logo)
        self._logo_bytes = b""

    def text_bytes(self, text: str) -> bytes:
        if self.profile.encoding == "gbk":
            text = text.translate(GBK_SUBSTITUTES)
        try:
            return text.encode(self.profile.encoding)
        except UnicodeEncodeError as exc:
            raise ValueError(f"{text[exc.start:exc.end]!r} cannot be printed in {self.profile.encoding}") from None

    def unprintable(self, text: str) -> str:
        """The characters of ``text`` the head cannot print as text (its encoding or its font lacks them)."""
        p = self.profile
        if p.encoding == "gbk":
            text = text.translate(GBK_SUBSTITUTES)
        return "".join(dict.fromkeys(ch for ch in text if ord(ch) >= 0x80 and not _printable(ch, p.encoding, p.charset)))

    def line(self, text: str, *, width: int = 1, height: int = 1, bold: bool = False) -> bytes:
        """One printed line: its text in the head's encoding, or a GS v 0 picture of it when a character is beyond the head."""
        if not self.unprintable(text):
            return self.text_bytes(text) + P.LF
        from drivers.printer.render import text_line_image

        image, missing = text_line_image(text, bold=bold, mag=(width, height))
        if missing:
            raise ValueError(f"{''.join(sorted(missing))!r} cannot be printed in {self.profile.encoding} and no installed font draws it")
        return image_raster(image, self.profile.dots, dither=False)

    def encode(self, document: ReceiptDocument) -> bytes:
        p = self.profile
        out = [P.INIT, P.CHINESE_ON if p.double_byte else P.CHINESE_OFF]
        if self.logo is not None:
            if not self._logo_bytes:
                self._logo_bytes = P.align(1) + image_raster(self.logo, p.dots) + P.align(0)
            out.append(self._logo_bytes)
        for block in document:
            out.append(self.block(block))
        return b"".join(out)

    def block(self, block: object) -> bytes:
        p = self.profile
        dbm = p.double_byte
        if isinstance(block, TextLine):
            cols = p.cols // block.width - block.indent
            lines = [" " * block.indent + line for line in layout.wrap(block.text, cols, dbm)]
            body = b"".join(self.line(line, width=block.width, height=block.height, bold=block.bold) for line in lines)
            return (P.align(ALIGN_CODE[block.align]) + P.bold(block.bold) + P.char_size(block.width, block.height)
                    + body + P.char_size(1, 1) + P.bold(False) + P.align(0))
        if isinstance(block, KeyValue):
            lines = layout.key_value(block.key, block.value, p.cols, dbm)
            return P.bold(block.bold) + self._lines(lines, bold=block.bold) + P.bold(False)
        if isinstance(block, Table):
            return self._lines(layout.table(block.headers, block.rows, p.cols, block.weights, block.aligns, dbm))
        if isinstance(block, Separator):
            unit = layout.text_width(block.char, dbm) or 1
            return self._lines([block.char * (p.cols // unit)])
        if isinstance(block, QrCode):
            return P.align(ALIGN_CODE[block.align]) + self.qr(block) + P.LF + P.align(0)
        if isinstance(block, ImageBlock):
            return P.align(ALIGN_CODE[block.align]) + image_raster(block.image, p.dots) + P.align(0)
        if isinstance(block, Feed):
            return P.feed(block.lines)
        if isinstance(block, Cut):
            if not p.cutter:
                return P.feed(p.cut_feed_lines)
            return P.feed(p.cut_feed_lines) + P.cut(block.partial)
        raise TypeError(f"unknown receipt block {type(block).__name__}")

    def _lines(self, lines: list[str], bold: bool = False) -> bytes:
        return b"".join(self.line(line, bold=bold) for line in lines)

    def qr(self, block: QrCode) -> bytes:
        data = block.data.encode("utf-8")
        if self.profile.native_qr:
            return P.qr_native(data, block.size, self.profile.qr_ec)
        import qrcode  # the image fallback for heads without GS ( k

        qr = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{self.profile.qr_ec}"), box_size=block.size, border=0)
        qr.add_data(data)
        qr.make(fit=True)
        return image_raster(qr.make_image().get_image(), self.profile.dots)


def _printable(ch: str, encoding: str, charset: str) -> bool:
    try:
        ch.encode(encoding)
        if charset == "gb18030":
            return ord(ch) < 0x10000
        ch.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def image_raster(image: Any, max_dots: int, dither: bool = True) -> bytes:
    """A PIL image as GS v 0 bands (≤ 255 rows each, as many heads require), scaled to fit, 1 bit: dithered
    (pictures) or thresholded (text, whose anti-aliased edges would dither into speckles)."""
    from PIL import Image

    img = image.convert("L")
    if img.width > max_dots:
        img = img.resize((max_dots, max(1, img.height * max_dots // img.width)), Image.Resampling.LANCZOS)
    mono = img.convert("1") if dither else img.point(lambda v: 255 if v >= 128 else 0).convert("1")  # 0 = black
    width_bytes = (mono.width + 7) // 8
    padded = Image.new("1", (width_bytes * 8, mono.height), 1)
    padded.paste(mono, (0, 0))
    inverted = bytes(0xFF ^ b for b in padded.tobytes())  # PIL "1": 1 = white; ESC/POS: 1 = black
    out = []
    for top in range(0, padded.height, 255):
        rows = min(255, padded.height - top)
        out.append(P.raster(inverted[top * width_bytes:(top + rows) * width_bytes], width_bytes, rows))
    return b"".join(out)


def encode_document(document: ReceiptDocument, profile: PrinterProfile = PROFILE_80, mode: str = "text") -> bytes:
    """Text mode (what the driver sends) or image mode (the whole receipt rasterised, for heads without a CJK font)."""
    text = Encoder(profile).encode(document)
    if mode == "text":
        return text
    if mode != "image":
        raise ValueError(f"mode must be text or image, got {mode!r}")
    from drivers.printer.render import render

    out = [P.INIT]
    for page in render(text, width_dots=profile.dots, encoding=profile.encoding, cut_marks=False).pages:
        out.append(image_raster(page, profile.dots))
        out.append(P.feed(profile.cut_feed_lines) + P.cut())
    return b"".join(out)
