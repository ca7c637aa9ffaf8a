"""``kiosk device doccam capture`` end to end on the emulator; errors are one line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli.main import main


def test_capture_card_to_jpeg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "card.jpg"
    code = main(["device", "doccam", "capture", "--source", "sim:doccam?scene=card&width=640&height=360&fps=30&frames=16",
                 "--mode", "id_front", "--out", str(out), "--timeout", "10"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["mode"] == "id_front" and summary["bytes"] == out.stat().st_size
    image = cv2.imdecode(np.frombuffer(out.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[:2] == (638, 1011)


def test_capture_page_to_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.pdf"
    code = main(["device", "doccam", "capture", "--source", "sim:doccam?scene=a4&width=640&height=360&fps=30&frames=16", "--out", str(out)])
    assert code == 0
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size <= 400_000
    assert json.loads(capsys.readouterr().out)["mime"] == "application/pdf"


def test_timeout_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["device", "doccam", "capture", "--source", "sim:doccam?scene=empty&width=320&height=180", "--timeout", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[-1].startswith("kiosk: doccam: timeout") and "Traceback" not in "".join(err)


def test_bad_output_name_and_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["device", "doccam", "capture", "--source", "sim:doccam", "--out", "x.png"]) == 1
    assert main(["device", "doccam", "capture", "--source", "nourl"]) == 1
    assert main(["device", "doccam", "capture", "--source", "sim:doccam?scene=moon"]) == 1
    err = capsys.readouterr().err
    assert ".jpg or .pdf" in err and "no scheme" in err and "?scene=" in err
