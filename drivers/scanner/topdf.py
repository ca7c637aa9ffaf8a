"""Scanned pages → one multi-page PDF sized for upload.

Why fpdf2 and not Pillow's PDF writer: fpdf2 embeds a JPEG as-is (DCTDecode, no re-encoding), so
the PDF costs the JPEG bytes plus ~1 KB per page, and each page gets the physical size the scan
had (pixels / dpi), so an A4 scan prints as A4. Pages above ``max_bytes_per_page`` are re-encoded
at a lower quality (and, if still too big, a lower dpi) before embedding.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from fpdf import FPDF
from PIL import Image

from kiosk.terminal.media import CapturedPage

MM_PER_INCH = 25.4


def _encode(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def shrink_jpeg(page: CapturedPage, max_bytes: int) -> tuple[bytes, int, int]:
    """The page's JPEG, re-encoded until it fits ``max_bytes``; returns (jpeg, width, height).

    Lower quality first (legibility survives q50 at 300 dpi); if q50 is still too big, scale by
    the square root of the overshoot (JPEG size is roughly proportional to the pixel count).
    """
    if page.mime == "image/jpeg" and len(page.data) <= max_bytes:
        return page.data, page.width, page.height
    image: Image.Image = Image.open(io.BytesIO(page.data))
    image.load()
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    for quality in (75, 60, 50):
        data = _encode(image, quality)
        if len(data) <= max_bytes:
            return data, image.width, image.height
    scale = 1.0
    while True:
        scale *= min(0.9, (max_bytes / len(data)) ** 0.5 * 0.95)
        size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        data = _encode(image.resize(size, Image.Resampling.LANCZOS), 50)
        if len(data) <= max_bytes or min(size) <= 16:
            return data, size[0], size[1]


def pages_to_pdf(pages: Sequence[CapturedPage], *, title: str = "", max_bytes_per_page: int = 400_000) -> bytes:
    """A PDF with one page per scan, each page the physical size of its scan."""
    if not pages:
        raise ValueError("no pages to put in a PDF")
    pdf = FPDF(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_compression(False)  # the JPEG streams are already compressed; deflate would only cost time
    if title:
        pdf.set_title(title)
    pdf.set_creator("yukuaiban-kiosk scanner")
    for page in pages:
        jpeg, width, height = shrink_jpeg(page, max_bytes_per_page)
        dpi = page.dpi * width / page.width if page.width else page.dpi  # shrinking keeps the paper size
        size_mm = (width / dpi * MM_PER_INCH, height / dpi * MM_PER_INCH)
        pdf.add_page(format=size_mm)
        pdf.image(io.BytesIO(jpeg), x=0, y=0, w=size_mm[0], h=size_mm[1])
    return bytes(pdf.output())
