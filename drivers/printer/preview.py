"""Preview a receipt exactly as the driver would print it: encode it for a profile, then render the bytes.

Why its own module: the encoder rasterises through the renderer (image mode) and this preview runs the
renderer over the encoder's output; kept here, neither of the two imports the other back.
"""

from __future__ import annotations

from drivers.printer.encoder import PROFILE_80, Encoder, PrinterProfile
from drivers.printer.render import RenderResult, render
from kiosk.terminal.receipt import ReceiptDocument


def render_document(document: ReceiptDocument, profile: PrinterProfile | None = None) -> RenderResult:
    """Preview ``document`` as the driver would send it to ``profile`` (default 80 mm)."""
    prof = profile or PROFILE_80
    return render(Encoder(prof).encode(document), width_dots=prof.dots, encoding=prof.encoding)
