"""Where the CJK fonts come from, for the UI, the receipt renderer and the PDF documents.

Noto CJK ``.ttc`` collections start with the Japanese face (骨 直 门 take Japanese shapes), and the index
of the Simplified Chinese face differs between the Sans, Serif and Mono collections, so faces are found
by family name, never by a fixed index. fpdf2 embeds a face of a collection directly
(``collection_font_number``); Kivy opens only face 0, so for the UI the SC face is extracted once with
fontTools into a cache and used as a plain OTF. Noto CJK SC also covers Extension A/B characters such as
䶮 and 𠮷, which WenQuanYi Micro Hei (the fallback) does not.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import ConfigError

NOTO_SANS_TTC = {
    "regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}
NOTO_SANS_SC = "Noto Sans CJK SC"
WQY_TTC = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
#: Document faces, (file, family) in order of preference: serif for official documents, then sans.
DOCUMENT_CANDIDATES: dict[str, list[tuple[str, str]]] = {
    "serif": [
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
        (str(NOTO_SANS_TTC["regular"]), NOTO_SANS_SC),
        (str(WQY_TTC), "WenQuanYi Micro Hei"),
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
    ],
    "sans-bold": [
        (str(NOTO_SANS_TTC["bold"]), NOTO_SANS_SC),
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
        (str(WQY_TTC), "WenQuanYi Micro Hei"),
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
    ],
}
_extract_lock = threading.Lock()


class FontNotFound(ConfigError):
    """No CJK font is installed (apt-get install fonts-noto-cjk or fonts-wqy-microhei)."""


@dataclass(frozen=True)
class FontChoice:
    """A font file Kivy can open as is (face 0)."""

    path: Path
    family: str
    covers_rare: bool  # Extension A/B characters (䶮, 𠮷)


@dataclass(frozen=True)
class FontFace:
    """A face inside a font file, for fpdf2."""

    path: str
    index: int  # face number inside a .ttc, 0 for a plain TTF/OTF
    family: str


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "yukuaiban-kiosk" / "fonts"


def face_index(path: str | Path, family: str) -> int | None:
    """The number of the face named ``family`` in ``path`` (a .ttc/.otc or a single font), None if absent."""
    from fontTools.ttLib import TTCollection, TTFont

    if not str(path).lower().endswith((".ttc", ".otc")):
        return 0 if TTFont(str(path), lazy=True)["name"].getDebugName(1) == family else None
    for index, font in enumerate(TTCollection(str(path), lazy=True).fonts):
        if font["name"].getDebugName(1) == family:
            return index
    return None


def _extract_face(ttc: Path, family: str, weight: str) -> Path | None:
    target = cache_dir() / f"{family.replace(' ', '')}-{weight.capitalize()}.otf"
    with _extract_lock:
        if not target.exists():
            from fontTools.ttLib import TTCollection

            index = face_index(ttc, family)
            if index is None:
                return None
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            TTCollection(str(ttc)).fonts[index].save(str(partial))
            partial.replace(target)
    return target


def find_cjk_font(preferred: str = "", weight: str = "regular") -> FontChoice | None:
    """The UI font: the configured file if it exists, else Noto Sans CJK SC (extracted), else WenQuanYi;
    None if no CJK font is installed (``kiosk doctor`` reports it)."""
    if preferred and Path(preferred).is_file():
        return FontChoice(Path(preferred), Path(preferred).stem, covers_rare=False)
    noto = NOTO_SANS_TTC.get(weight, NOTO_SANS_TTC["regular"])
    if noto.is_file():
        extracted = _extract_face(noto, NOTO_SANS_SC, weight)
        if extracted is not None:
            return FontChoice(extracted, NOTO_SANS_SC, covers_rare=True)
    if WQY_TTC.is_file():
        return FontChoice(WQY_TTC, "WenQuanYi Micro Hei", covers_rare=False)
    return None


@functools.cache
def find_document_font(style: str = "serif") -> FontFace:
    """The first installed face for ``style`` (serif | sans-bold) for PDFs. Raises FontNotFound."""
    for path, family in DOCUMENT_CANDIDATES[style]:
        if os.path.exists(path):
            found = face_index(path, family)
            if found is not None:
                return FontFace(path, found, family)
    raise FontNotFound("no CJK font found; install fonts-noto-cjk or fonts-wqy-microhei")
