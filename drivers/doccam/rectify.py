"""From a detected quad to an upload-sized page: perspective warp, deskew, flatten, encode.

The output size follows the medium, not the camera: an A4 page at ``dpi`` (2480×3508 at 300 dpi),
an ID card at 85.6×54 mm. The JPEG quality is searched so the file fits the platform's budget
(400 KB for an A4 page); if colour cannot fit at a legible quality the page goes greyscale, and only
then is it downscaled. Flattening the illumination (dividing by a blurred background) removes the
desk-lamp shadow and, as a side effect, makes paper white, which is what lets text compress well.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.doccam.detect import side_lengths

A4_MM = (210.0, 297.0)
CARD_MM = (85.6, 54.0)
MM_PER_INCH = 25.4
MIN_QUALITY = 40
PAPER_WHITE = 0.88


@dataclass(frozen=True)
class Encoded:
    data: bytes
    mime: str
    width: int
    height: int
    quality: int
    grey: bool


def target_size(corners: np.ndarray, mode: str, dpi: int) -> tuple[int, int, tuple[float, float]]:
    """Output (width, height) in px and the medium size in mm, oriented like the quad."""
    w, h = side_lengths(corners)
    landscape = w > h
    if mode in ("id_front", "id_back"):
        mm = CARD_MM if landscape else (CARD_MM[1], CARD_MM[0])
    else:
        mm = (A4_MM[1], A4_MM[0]) if landscape else A4_MM
    return round(mm[0] / MM_PER_INCH * dpi), round(mm[1] / MM_PER_INCH * dpi), mm


def warp(frame: np.ndarray, corners: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Map the quad (tl, tr, br, bl) onto a ``size`` rectangle."""
    w, h = size
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    hom = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    return cv2.warpPerspective(frame, hom, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def skew_angle(page: np.ndarray, max_deg: float = 3.0, step: float = 0.25) -> float:
    """Residual text skew in degrees (projection-profile method on a small copy); 0 when unsure."""
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    scale = 600 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 15)
    if cv2.countNonZero(ink) < 0.005 * ink.size:
        return 0.0
    centre = (small.shape[1] / 2, small.shape[0] / 2)
    best, best_score, flat_score = 0.0, -1.0, 0.0
    for angle in np.arange(-max_deg, max_deg + 1e-6, step):
        rot = cv2.warpAffine(ink, cv2.getRotationMatrix2D(centre, float(angle), 1.0), (small.shape[1], small.shape[0]))
        profile = rot.sum(axis=1, dtype=np.float64)
        score = float(np.var(np.diff(profile)))
        if abs(angle) < 1e-6:
            flat_score = score
        if score > best_score:
            best, best_score = float(angle), score
    return best if best_score > 1.15 * flat_score and abs(best) >= 0.5 else 0.0


def deskew(page: np.ndarray) -> tuple[np.ndarray, float]:
    angle = skew_angle(page)
    if angle == 0.0:
        return page, 0.0
    h, w = page.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(page, rot, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), angle


def flatten(page: np.ndarray) -> np.ndarray:
    """Divide out uneven lighting: paper becomes white, ink keeps its colour."""
    h, w = page.shape[:2]
    small = cv2.resize(page, (max(8, w // 8), max(8, h // 8)), interpolation=cv2.INTER_AREA)
    k = max(3, min(small.shape[:2]) // 6) | 1  # wider than text, QR codes and small photos; shadows are smoother
    background = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    background = cv2.GaussianBlur(background, (0, 0), k / 2)
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    # paper at ≥ ~88% of its local background becomes pure white: sensor noise on blank paper
    # otherwise costs most of the JPEG budget
    return cv2.divide(page, background, scale=255 / PAPER_WHITE)


def encode_jpeg(page: np.ndarray, max_bytes: int, *, grey: bool = False, dpi: int = 300) -> Encoded:
    """The best-quality JPEG under ``max_bytes``: colour first, then grey, then smaller."""
    attempts = [True] if grey or page.ndim == 2 else [False, True]
    img = page
    for _ in range(4):
        for as_grey in attempts:
            src = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if as_grey and img.ndim == 3 else img
            found = _search_quality(src, max_bytes)
            if found is not None:
                quality, data = found
                return Encoded(data, "image/jpeg", src.shape[1], src.shape[0], quality, src.ndim == 2)
        img = cv2.resize(img, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    raise ValueError(f"page cannot be encoded under {max_bytes} bytes")


def _search_quality(img: np.ndarray, max_bytes: int) -> tuple[int, bytes] | None:
    lo, hi, best = MIN_QUALITY, 92, None
    while lo <= hi:
        q = (lo + hi) // 2
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
        if not ok:
            raise ValueError("JPEG encoder failed")
        if len(buf) <= max_bytes:
            best, lo = (q, buf.tobytes()), q + 3
        else:
            hi = q - 3
    return best


def to_pdf(jpeg: Encoded, page_mm: tuple[float, float]) -> bytes:
    """One PDF page of ``page_mm`` with the JPEG embedded as is (no re-encoding)."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=page_mm)
    pdf.set_creator("yukuaiban-kiosk doccam")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(io.BytesIO(jpeg.data), x=0, y=0, w=page_mm[0], h=page_mm[1])
    return bytes(pdf.output())


def make_page(frame: np.ndarray, corners: np.ndarray, mode: str, *, dpi: int = 300, max_bytes: int = 400_000,
              output: str = "jpeg", enhance: bool = True, grey: bool = False, straighten: bool = True) -> tuple[Encoded, dict[str, object]]:
    """The whole capture pipeline for one frame: warp → deskew → flatten → encode (JPEG or PDF)."""
    width, height, mm = target_size(corners, mode, dpi)
    page = warp(frame, corners, (width, height))
    angle = 0.0
    if straighten and mode == "page":
        page, angle = deskew(page)
    if enhance and mode == "page":  # cards are small and evenly lit, and their photo must keep its tones
        page = flatten(page)
    budget = max_bytes - 8_192 if output == "pdf" else max_bytes  # PDF wrapper overhead is ~1 KB; keep a margin
    jpeg = encode_jpeg(page, budget, grey=grey, dpi=dpi)
    detail: dict[str, object] = {"mode": mode, "page_mm": mm, "quality": jpeg.quality, "grey": jpeg.grey, "deskew_deg": angle,
                               "dpi": round(dpi * jpeg.width / width)}  # lower than asked only if it had to shrink to fit
    if output == "pdf":
        return Encoded(to_pdf(jpeg, mm), "application/pdf", jpeg.width, jpeg.height, jpeg.quality, jpeg.grey), detail
    if output != "jpeg":
        raise ValueError(f"unknown output {output!r} (jpeg, pdf)")
    return jpeg, detail
