"""Synthetic camera frames for view-models built by hand (the glyph test's samples): a face-like preview
and a page on a desk with the page corners (the outline the document camera's detector reports), as
JPEG bytes. Kivy-free."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def face_preview(width: int = 640, height: int = 480) -> bytes:
    image = Image.new("RGB", (width, height), (70, 80, 95))
    draw = ImageDraw.Draw(image)
    cx, cy = width // 2, height // 2
    draw.ellipse((cx - 90, cy - 120, cx + 90, cy + 120), fill=(224, 186, 160))
    draw.ellipse((cx - 45, cy - 40, cx - 20, cy - 20), fill=(40, 40, 40))
    draw.ellipse((cx + 20, cy - 40, cx + 45, cy - 20), fill=(40, 40, 40))
    draw.arc((cx - 40, cy + 20, cx + 40, cy + 70), 20, 160, fill=(150, 60, 60), width=5)
    draw.rectangle((cx - 130, cy - 160, cx + 130, cy + 160), outline=(40, 220, 90), width=4)
    return _jpeg(image)


def page_on_desk(width: int = 800, height: int = 600) -> tuple[bytes, tuple[tuple[float, float], ...]]:
    """A slightly rotated white page with text lines; returns (jpeg, corners in image pixels, y down)."""
    image = Image.new("RGB", (width, height), (110, 85, 60))
    corners = ((190.0, 70.0), (610.0, 95.0), (585.0, 545.0), (165.0, 520.0))
    draw = ImageDraw.Draw(image)
    draw.polygon(corners, fill=(245, 245, 240))
    for i in range(9):
        y = 130 + i * 42
        draw.line((215 + i * -1.5, y, 560 - i * 1.5, y + 12), fill=(60, 60, 60), width=5)
    return _jpeg(image), corners
