"""JPEG/PNG bytes from a view-model → a Kivy texture (camera previews, the receipt PNG, QR images)."""

from __future__ import annotations

import io
from typing import Any

from kivy.core.image import Image as CoreImage


def set_jpeg(widget: Any, data: bytes | None, ext: str = "jpg") -> None:
    """Show encoded image bytes in an Image widget; None clears it."""
    if not data:
        widget.texture = None
        return
    widget.texture = CoreImage(io.BytesIO(data), ext=ext).texture


def set_png_file(widget: Any, path: str) -> None:
    widget.source = path or ""
    if path:
        widget.reload()
