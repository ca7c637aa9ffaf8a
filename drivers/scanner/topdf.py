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


def shrink_jpeg(page: CapturedPage, max_bytes: int) -> tuple[bytes, int, int]:
    """The page's JPEG, re-encoded until it fits ``max_bytes``; returns (jpeg, width, height)."""
    if page.mime == "image/jpeg" and len(page.data) <= max_bytes:
        return page.data, page.width, page.height
    image = Image.open(io.BytesIO(page.data))
    image.load()
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    data = page.data
    for scale in (1.0, 0.75, 0.5):
        scaled = image if scale == 1.0 else image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))), Image.LANCZOS)
        for quality in (80, 65, 50, 35):
            out = io.BytesIO()
            scaled.save(out, "JPEG", quality=quality, optimize=True)
            data = out.getvalue()
            if len(data) <= max_bytes:
                return data, scaled.width, scaled.height
    return data, scaled.width, scaled.height


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
