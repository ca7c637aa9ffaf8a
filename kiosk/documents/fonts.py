"""Finds a Simplified-Chinese face on the system for PDF rendering.

Why by name, not by index: Noto CJK ``.ttc`` collections start with the JP face, and the index of
the SC face differs between the Sans, Serif and Mono collections. fpdf2 (≥ 2.8) embeds a face of a
collection directly (``collection_font_number``), subset to the glyphs used, so nothing is copied
or cached. ``KIOSK_CJK_FONT=/path/font.ttf[#index]`` overrides the search.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

#: (file, wanted family name) in order of preference: serif for official documents, then sans.
CANDIDATES: dict[str, list[tuple[str, str]]] = {
    "serif": [
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
        ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei"),
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
    ],
    "sans-bold": [
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
        ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei"),
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
    ],
}


class FontNotFound(RuntimeError):
    """No CJK font is installed (apt-get install fonts-noto-cjk or fonts-wqy-microhei)."""


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int  # face number inside a .ttc, 0 for a plain TTF/OTF
    family: str


def _face_index(path: str, family: str) -> int | None:
    if not path.lower().endswith((".ttc", ".otc")):
        font = TTFont(path, lazy=True)
        return 0 if font["name"].getDebugName(1) == family else None
    collection = TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == family:
            return index
    return None


@functools.lru_cache(maxsize=None)
def find_cjk_font(style: str = "serif") -> FontFace:
    """The first installed face for ``style`` (serif | sans-bold); raises FontNotFound."""
    override = os.environ.get("KIOSK_CJK_FONT")
    if override:
        path, _, index = override.partition("#")
        return FontFace(path, int(index or 0), Path(path).stem)
    for path, family in CANDIDATES[style]:
        if os.path.exists(path):
            index = _face_index(path, family)
            if index is not None:
                return FontFace(path, index, family)
    raise FontNotFound("no CJK font found; install fonts-noto-cjk or fonts-wqy-microhei, or set KIOSK_CJK_FONT")
