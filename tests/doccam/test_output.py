"""The corrected output: A4 at 300 dpi within 400 KB and legible; PDF; ID-card crops."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
import zxingcpp
from pypdf import PdfReader

from drivers.doccam.detect import analyse
from drivers.doccam.rectify import encode_jpeg, make_page, skew_angle
from sim.devices.doccam.scenes import PAGE_QR_TEXT, make_scene

A4_300DPI = (2480, 3508)


def decode(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def similarity(output: np.ndarray, truth: np.ndarray) -> float:
    """Normalised cross-correlation of the two pages in grey at 300 px wide (1.0: identical)."""
    size = (300, round(300 * truth.shape[0] / truth.shape[1]))
    a = cv2.resize(cv2.cvtColor(output, cv2.COLOR_BGR2GRAY) if output.ndim == 3 else output, size, interpolation=cv2.INTER_AREA)
    b = cv2.resize(cv2.cvtColor(truth, cv2.COLOR_BGR2GRAY), size, interpolation=cv2.INTER_AREA)
    a, b = a.astype(np.float32) - a.mean(), b.astype(np.float32) - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


@pytest.mark.parametrize("width, height, shadow", [(1280, 720, 0.5), (640, 360, 0.3)])
def test_a4_page_fits_400kb_at_300dpi_and_stays_legible(width: int, height: int, shadow: float) -> None:
    scene = make_scene("a4", width=width, height=height, frames=1, moving=0, angle_deg=-11, shadow=shadow, seed=5)
    detection = analyse(scene.frames[0])
    assert detection.corners is not None
    encoded, detail = make_page(scene.frames[0], detection.corners, "page", dpi=300, max_bytes=400_000)
    assert len(encoded.data) <= 400_000
    assert (encoded.width, encoded.height) == A4_300DPI and detail["dpi"] == 300
    image = decode(encoded.data)
    codes = zxingcpp.read_barcodes(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    assert [c.text for c in codes] == [PAGE_QR_TEXT]
    assert scene.page is not None
    assert similarity(image, scene.page) > 0.8


def test_pdf_output_is_one_a4_page_within_budget() -> None:
    scene = make_scene("a4", width=1280, height=720, frames=1, moving=0, seed=6)
    detection = analyse(scene.frames[0])
    assert detection.corners is not None
    encoded, _ = make_page(scene.frames[0], detection.corners, "page", output="pdf")
    assert encoded.mime == "application/pdf" and len(encoded.data) <= 400_000
    reader = PdfReader(io.BytesIO(encoded.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1  # A4 in points


def test_a_tight_budget_goes_grey_then_smaller_but_fits() -> None:
    scene = make_scene("a4", width=640, height=360, frames=1, moving=0, seed=7)
    detection = analyse(scene.frames[0])
    assert detection.corners is not None
    encoded, detail = make_page(scene.frames[0], detection.corners, "page", max_bytes=120_000)
    assert len(encoded.data) <= 120_000
    assert detail["grey"] is True or detail["dpi"] < 300  # it had to give something up
    with pytest.raises(ValueError):
        encode_jpeg(np.random.default_rng(0).integers(0, 255, (1200, 1200, 3), dtype=np.uint8), 2_000)


@pytest.mark.parametrize("kind, mode", [("card", "id_front"), ("card_back", "id_back")])
def test_id_mode_crops_the_card(kind: str, mode: str) -> None:
    scene = make_scene(kind, width=1280, height=720, frames=1, moving=0, scale=0.38, angle_deg=14, seed=8)
    detection = analyse(scene.frames[0], mode)
    assert detection.corners is not None
    encoded, detail = make_page(scene.frames[0], detection.corners, mode)
    assert (encoded.width, encoded.height) == (1011, 638)  # 85.6 × 54 mm at 300 dpi
    assert detail["page_mm"] == (85.6, 54.0)
    assert scene.page is not None
    assert similarity(decode(encoded.data), scene.page) > 0.8


def test_residual_skew_is_measured_and_straight_text_left_alone() -> None:
    scene = make_scene("a4", width=640, height=360, frames=1, moving=0)
    page = scene.page
    assert page is not None
    assert skew_angle(page) == 0.0
    h, w = page.shape[:2]
    tilted = cv2.warpAffine(page, cv2.getRotationMatrix2D((w / 2, h / 2), 2.0, 1.0), (w, h), borderMode=cv2.BORDER_REPLICATE)
    assert abs(skew_angle(tilted) + 2.0) <= 0.5
