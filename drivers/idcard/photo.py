"""The WLT photo hook: the 1024-byte WLT stays raw unless a vendor decoder is configured.

No open-source WLT decoder is known (PROTOCOLS.md §1.8), so decoding is a plug-in: option
``wlt_decoder = "package.module:function"`` names a callable ``(wlt: bytes) -> bytes`` returning a
BMP (102×126, what vendor ``GetBmp`` libraries produce) or JPEG, typically a ctypes wrapper around
``libwltu.so``. Without one the photo is reported unavailable — never a placeholder image.
"""

from __future__ import annotations

import importlib
import io
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

WltDecoder = Callable[[bytes], bytes]
UNAVAILABLE = "unavailable: no WLT decoder configured"


def load_decoder(spec: str) -> WltDecoder | None:
    """Import ``module:function``; None (with a warning) when it cannot be loaded."""
    if not spec:
        return None
    module_name, _, function = spec.partition(":")
    try:
        decoder = getattr(importlib.import_module(module_name), function)
    except (ImportError, AttributeError) as exc:
        log.warning("idcard: WLT decoder %s unavailable: %s", spec, exc)
        return None
    return decoder if callable(decoder) else None


def decode_photo(decoder: WltDecoder | None, wlt: bytes) -> tuple[bytes | None, str]:
    """(JPEG bytes or None, photo status text) for the raw WLT."""
    if decoder is None or not wlt:
        return None, UNAVAILABLE if wlt else "unavailable: no photo on the card"
    try:
        image = decoder(wlt)
    except Exception as exc:  # noqa: BLE001 — a vendor library failing must not fail the card read
        log.warning("idcard: WLT decoder failed: %r", exc)
        return None, f"unavailable: decoder failed ({type(exc).__name__})"
    if image.startswith(b"\xff\xd8"):
        return image, "decoded"
    try:
        from PIL import Image

        with Image.open(io.BytesIO(image)) as img:
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=90)
        return out.getvalue(), "decoded"
    except Exception as exc:  # noqa: BLE001 — a decoder may hand back anything PIL cannot read
        log.warning("idcard: decoder output is not an image: %r", exc)
        return None, "unavailable: decoder output is not an image"
