"""The CJK faces are chosen by family name: face 0 of the Noto collections is the Japanese one."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from kiosk.fonts import NOTO_SANS_TTC, face_index, find_cjk_font, find_document_font


@pytest.mark.skipif(not NOTO_SANS_TTC["regular"].is_file(), reason="fonts-noto-cjk not installed")
def test_the_ui_font_is_the_simplified_chinese_face_with_rare_characters(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # extracted afresh, not from an earlier run's cache
    choice = find_cjk_font()
    assert choice is not None and choice.path.is_relative_to(tmp_path)
    font = TTFont(str(choice.path))
    assert font["name"].getDebugName(1) == "Noto Sans CJK SC"
    cmap = font.getBestCmap()
    assert ord("䶮") in cmap and ord("𠮷") in cmap
    assert face_index(NOTO_SANS_TTC["regular"], "Noto Sans CJK SC") != 0  # index 0 is JP: why we look by name


def test_a_configured_font_file_wins(tmp_path: Path) -> None:
    own = tmp_path / "own.ttf"
    own.write_bytes(b"not parsed here")
    choice = find_cjk_font(str(own))
    assert choice is not None and choice.path == own and not choice.covers_rare


def test_document_faces_are_simplified_chinese() -> None:
    for style in ("serif", "sans-bold"):
        face = find_document_font(style)
        assert face.family.endswith(" SC") or face.family.startswith("WenQuanYi")
