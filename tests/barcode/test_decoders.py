"""Every decoder against generated 1280×720 frames: plain, rotated, small, noisy, defocused."""

from __future__ import annotations

import pytest

from drivers.barcode.decoders import DECODERS, make_decoder
from sim.devices.barcode.emulator import background, render_qr_frame

TOKEN = "YKM1.Q2hvbmdxaW5nIFl1a3VhaWJhbiBkZW1vIHRva2VuIGZvciB0ZXN0cyBvbmx5IDEyMzQ1Njc4OTA"  # fixed: same frames every run
CASES = {
    "plain": {},
    "rotated_30": {"angle": 30},
    "rotated_80": {"angle": 80},
    "small_150px": {"code_px": 150},
    "noisy": {"noise": 12, "seed": 3},
    "defocused": {"blur": 5},
    "corner": {"centre": (0.2, 0.3), "angle": -15},
}


@pytest.mark.parametrize("case", CASES)
def test_default_decoder_reads_every_case(case: str) -> None:
    frame = render_qr_frame(TOKEN, **CASES[case])  # type: ignore[arg-type]
    assert make_decoder().decode(frame) == [TOKEN]


@pytest.mark.parametrize("name", DECODERS)
def test_each_decoder_reads_a_plain_rotated_code_and_nothing_on_an_empty_counter(name: str) -> None:
    decoder = make_decoder(name)
    assert TOKEN in decoder.decode(render_qr_frame(TOKEN, angle=30))
    assert decoder.decode(background()) == []


def test_grayscale_input_is_accepted() -> None:
    import cv2

    gray = cv2.cvtColor(render_qr_frame(TOKEN), cv2.COLOR_BGR2GRAY)
    assert make_decoder().decode(gray) == [TOKEN]


def test_unknown_decoder_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="zxing"):
        make_decoder("tesseract")
