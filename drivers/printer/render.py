"""ESC/POS bytes → PNG: what the printer would put on paper, for the on-screen preview and the tests.

Why parse the bytes and not the document: the preview and the tests must show what we really send,
so a wrong encoding, a missing FS & or a broken QR command shows up as a wrong picture. It draws the
commands our encoder emits (text in the double-byte font, sizes, alignment, bold, GS ( k QR, GS v 0
rasters, feeds, cuts); anything else is listed in ``RenderResult.unknown``, never silently dropped.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass, field
from typing import cast

from PIL import Image, ImageDraw, ImageFont

from drivers.printer.tokens import Token, tokenize

FONT_CANDIDATES = [  # (path, face index): the mono SC face has 12-dot Latin and 24-dot hanzi, like a printer
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 7),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),
]
BOLD_CANDIDATES = [("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 7)]
CELL = 24  # dots: the double-byte font is 24×24, the ASCII font 12×24
BASELINE = 21
IGNORED_QUERIES = {"DLE EOT", "DLE ENQ", "GS r", "ESC v"}  # real-time/status queries: nothing to print


@dataclass
class RenderResult:
    """Pages split at cuts, the whole roll (with cut marks), the text of each line, QR payloads, unknowns."""

    pages: list[Image.Image]
    image: Image.Image
    lines: list[str] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    missing_glyphs: set[str] = field(default_factory=set)
    cuts: int = 0

    def png(self) -> bytes:
        buf = io.BytesIO()
        self.image.save(buf, "PNG")
        return buf.getvalue()


@functools.lru_cache(maxsize=4)
def _font(bold: bool) -> tuple[ImageFont.FreeTypeFont, frozenset[int]]:
    for path, index in (BOLD_CANDIDATES if bold else []) + FONT_CANDIDATES:
        if os.path.exists(path):
            return ImageFont.truetype(path, CELL, index=index), _cmap(path, index)
    raise FileNotFoundError("no CJK font found (install fonts-noto-cjk or fonts-wqy-microhei)")


@functools.lru_cache(maxsize=4)
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as f:
        return frozenset(f.getBestCmap())


@functools.lru_cache(maxsize=4096)
def _glyph(ch: str, full: bool, bold: bool) -> Image.Image:
    font, _ = _font(bold)
    w = CELL if full else CELL // 2
    img = Image.new("L", (w, CELL), 255)
    draw = ImageDraw.Draw(img)
    x = (w - font.getlength(ch)) / 2
    draw.text((x, BASELINE), ch, font=font, fill=0, anchor="ls")
    return img


class _Renderer:
    def __init__(self, width_dots: int, encoding: str, chinese_default: bool) -> None:
        self.width = width_dots
        self.encoding = encoding
        self.chinese_default = chinese_default
        self.result = RenderResult([], Image.new("L", (1, 1)))
        self.rows: list[Image.Image] = []  # the current page, as horizontal strips
        self.line: list[tuple[Image.Image, str]] = []
        self.line_w = 0
        self.reset()

    def reset(self) -> None:
        self.align = 0
        self.bold = False
        self.mag = (1, 1)
        self.spacing = 30
        self.chinese = self.chinese_default
        self.qr: dict[str, object] = {"module": 3, "ec": "M", "data": b""}

    # ----- text ------------------------------------------------------------------------------
    def text(self, raw: bytes) -> None:
        for ch, full in self.decode(raw):
            _, cmap = _font(self.bold)
            if ord(ch) > 0x20 and ord(ch) not in cmap:
                self.result.missing_glyphs.add(ch)
            glyph = _glyph(ch, full, self.bold)
            w, h = self.mag
            if (w, h) != (1, 1):
                glyph = glyph.resize((glyph.width * w, glyph.height * h), Image.Resampling.NEAREST)
            if self.line_w + glyph.width > self.width:
                self.flush_line()
            self.line.append((glyph, ch))
            self.line_w += glyph.width

    def decode(self, raw: bytes) -> list[tuple[str, bool]]:
        """Characters and whether each prints in the double-byte (full-width) font."""
        if not self.chinese:
            return [(chr(b) if b < 0x80 else bytes([b]).decode("cp437"), False) for b in raw]
        if self.encoding == "utf-8":
            return [(ch, ord(ch) >= 0x80) for ch in raw.decode("utf-8", errors="replace")]
        out: list[tuple[str, bool]] = []
        i = 0
        while i < len(raw):
            b = raw[i]
            if b < 0x80:
                out.append((chr(b), False))
                i += 1
                continue
            n = 4 if self.encoding == "gb18030" and i + 1 < len(raw) and 0x30 <= raw[i + 1] <= 0x39 else 2
            out.append((raw[i:i + n].decode(self.encoding, errors="replace"), True))
            i += n
        return out

    def flush_line(self, force_blank: bool = False) -> None:
        if not self.line:
            if force_blank:
                self.rows.append(Image.new("L", (self.width, self.spacing), 255))
                self.result.lines.append("")
            return
        height = max(g.height for g, _ in self.line)
        row = Image.new("L", (self.width, max(height, height + self.spacing - CELL)), 255)
        x = [0, (self.width - self.line_w) // 2, self.width - self.line_w][self.align]
        for glyph, _ in self.line:
            row.paste(glyph, (x, height - glyph.height))
            x += glyph.width
        self.rows.append(row)
        self.result.lines.append("".join(ch for _, ch in self.line).rstrip())
        self.line, self.line_w = [], 0

    # ----- pictures --------------------------------------------------------------------------
    def place(self, img: Image.Image) -> None:
        self.flush_line()
        img = img.convert("L")
        if img.width > self.width:
            self.result.unknown.append(f"image {img.width} dots wide is wider than the paper ({self.width})")
            img = img.crop((0, 0, self.width, img.height))
        row = Image.new("L", (self.width, img.height), 255)
        row.paste(img, ([0, (self.width - img.width) // 2, self.width - img.width][self.align], 0))
        self.rows.append(row)

    def raster(self, args: bytes) -> None:
        m, xb, yd = args[0], args[1] | args[2] << 8, args[3] | args[4] << 8
        data = bytes(0xFF ^ b for b in args[5:5 + xb * yd])
        img = Image.frombytes("1", (xb * 8, yd), data).convert("L")
        sx, sy = (2 if m in (1, 49, 3, 51) else 1), (2 if m in (2, 50, 3, 51) else 1)
        if (sx, sy) != (1, 1):
            img = img.resize((img.width * sx, img.height * sy), Image.Resampling.NEAREST)
        self.place(img)

    def qr_function(self, tok: Token) -> None:
        p = tok.args
        if len(p) < 2 or p[0] != 49:
            self.result.unknown.append(f"GS ( k with cn={p[:1].hex()} (not QR) at {tok.start}")
            return
        fn = p[1]
        if fn == 65:
            return  # model: only model 2 is drawn
        if fn == 67:
            self.qr["module"] = p[2]
        elif fn == 69:
            self.qr["ec"] = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(p[2], "M")
        elif fn == 80:
            self.qr["data"] = p[3:]
        elif fn == 81:
            self.draw_qr()
        else:
            self.result.unknown.append(f"GS ( k function {fn} at {tok.start}")

    def draw_qr(self) -> None:
        import qrcode

        data = bytes(cast(bytes, self.qr["data"]))
        if not data:
            self.result.unknown.append("GS ( k print with no stored QR data")
            return
        qr = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{self.qr['ec']}"),
                           box_size=int(self.qr["module"]), border=0)  # type: ignore[call-overload]
        qr.add_data(data)
        qr.make(fit=True)
        self.place(qr.make_image().get_image())
        self.result.qr_payloads.append(data.decode("utf-8", errors="replace"))

    # ----- paper -----------------------------------------------------------------------------
    def feed_dots(self, dots: int) -> None:
        self.flush_line()
        if dots:
            self.rows.append(Image.new("L", (self.width, dots), 255))

    def cut(self) -> None:
        self.flush_line()
        self.result.cuts += 1
        self.end_page()

    def end_page(self) -> None:
        if self.rows:
            self.result.pages.append(_stack(self.rows, self.width))
        self.rows = []


def text_line_image(text: str, *, bold: bool = False, mag: tuple[int, int] = (1, 1), spacing: int = 30) -> tuple[Image.Image, set[str]]:
    """One line drawn as the head's own font would draw it (24-dot hanzi, 12-dot ASCII cells, line spacing
    included), for the raster line the encoder sends when the head's font lacks a character; plus the
    characters no installed font has (the caller refuses those rather than print a box)."""
    r = _Renderer(max(1, (len(text) + 1) * CELL * mag[0]), "utf-8", True)
    r.bold, r.mag, r.spacing = bold, mag, spacing
    r.text(text.encode("utf-8"))
    width = r.line_w
    r.flush_line(force_blank=True)
    row = r.rows[0]
    return row.crop((0, 0, max(1, width), row.height)), r.result.missing_glyphs


def _stack(rows: list[Image.Image], width: int) -> Image.Image:
    page = Image.new("L", (width, sum(r.height for r in rows)), 255)
    y = 0
    for r in rows:
        page.paste(r, (0, y))
        y += r.height
    return page


def render(data: bytes, width_dots: int = 576, encoding: str = "gb18030", chinese_default: bool = True,
           cut_marks: bool = True, margin: int = 16) -> RenderResult:
    """Render an ESC/POS job. ``chinese_default``: the printer boots in Chinese mode (most Chinese models do)."""
    r = _Renderer(width_dots, encoding, chinese_default)
    tokens, end = tokenize(data)
    if end < len(data):
        r.result.unknown.append(f"truncated command at {end}: {data[end:end + 8].hex(' ')}")
    for tok in tokens:
        _apply(r, tok)
    r.flush_line()
    r.end_page()
    r.result.image = _roll(r.result.pages, width_dots, cut_marks, margin, r.result.cuts)
    return r.result


def _apply(r: _Renderer, tok: Token) -> None:
    k, a = tok.kind, tok.args
    if k == "text":
        r.text(a)
    elif k in ("LF", "FF"):
        r.flush_line(force_blank=True)
    elif k == "CR":
        pass  # LF does the line end; CR alone is ignored by most heads in their default setting
    elif k == "ESC @":
        r.reset()
    elif k == "ESC !":
        r.mag = (2 if a[0] & 0x20 else 1, 2 if a[0] & 0x10 else 1)
        r.bold = bool(a[0] & 0x08)
    elif k == "ESC E":
        r.bold = bool(a[0] & 1)
    elif k == "ESC a":
        r.align = {0: 0, 1: 1, 2: 2, 48: 0, 49: 1, 50: 2}.get(a[0], 0)
    elif k == "GS !":
        r.mag = ((a[0] >> 4) + 1, (a[0] & 0x0F) + 1)
    elif k == "ESC d":
        r.flush_line()
        r.feed_dots(a[0] * r.spacing)
    elif k == "ESC J":
        r.feed_dots(a[0])
    elif k == "ESC 2":
        r.spacing = 30
    elif k == "ESC 3":
        r.spacing = a[0]
    elif k == "FS &":
        r.chinese = True
    elif k == "FS .":
        r.chinese = False
    elif k == "ESC t":
        if a[0] != 0:
            r.result.unknown.append(f"ESC t {a[0]}: only code page 0 (PC437) is drawn")
    elif k == "GS V":
        r.cut()
    elif k == "GS v":
        r.raster(a)
    elif k == "GS (k":
        r.qr_function(tok)
    elif k in IGNORED_QUERIES:
        pass
    else:
        r.result.unknown.append(f"{k} {tok.args.hex(' ')} at {tok.start}".replace("  ", " ").strip()
                                if k != "unknown" else f"unknown bytes {tok.args.hex(' ')} at {tok.start}")


def _roll(pages: list[Image.Image], width: int, cut_marks: bool, margin: int, cuts: int) -> Image.Image:
    """All pages on one roll with white margins and a dashed line where the cutter cut."""
    gap = 24 if cut_marks else 0
    total = sum(p.height for p in pages) + gap * len(pages) + 2 * margin
    roll = Image.new("L", (width + 2 * margin, max(total, 2 * margin + 1)), 255)
    draw = ImageDraw.Draw(roll)
    y = margin
    for n, page in enumerate(pages):
        roll.paste(page, (margin, y))
        y += page.height
        if cut_marks and n < cuts:
            for x in range(0, width + 2 * margin, 12):
                draw.line([(x, y + gap // 2), (x + 6, y + gap // 2)], fill=96, width=2)
        y += gap
    return roll
