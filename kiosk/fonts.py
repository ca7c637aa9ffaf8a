"""Where the CJK font comes from, for the UI, the receipt renderer and the PDF documents.

Kivy and fpdf2 open face 0 of a .ttc, and face 0 of Noto Sans CJK is the Japanese one (骨 直 门 take
Japanese shapes), so the Simplified Chinese face is extracted once with fontTools into a cache and
used as a plain OTF. Noto CJK SC also covers Extension A/B characters such as 䶮 and 𠮷, which
WenQuanYi Micro Hei (the fallback) does not.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

NOTO_TTC = {
    "regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}
NOTO_SC_FACE = 2
WQY_TTC = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
_extract_lock = threading.Lock()


@dataclass(frozen=True)
class FontChoice:
    path: Path
    family: str
    covers_rare: bool  # Extension A/B characters (䶮, 𠮷)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "yukuaiban-kiosk" / "fonts"


def _extract_sc(ttc: Path, weight: str) -> Path:
    target = cache_dir() / f"NotoSansCJKsc-{weight.capitalize()}.otf"
    with _extract_lock:
        if not target.exists():
            from fontTools.ttLib import TTCollection

            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            TTCollection(str(ttc)).fonts[NOTO_SC_FACE].save(str(partial))
            partial.replace(target)
    return target


def find_cjk_font(preferred: str = "", weight: str = "regular") -> FontChoice | None:
    """The configured font if it exists, else Noto Sans CJK SC (extracted), else WenQuanYi; None if none."""
    if preferred and Path(preferred).is_file():
        return FontChoice(Path(preferred), Path(preferred).stem, covers_rare=False)
    noto = NOTO_TTC.get(weight, NOTO_TTC["regular"])
    if noto.is_file():
        return FontChoice(_extract_sc(noto, weight), "Noto Sans CJK SC", covers_rare=True)
    if WQY_TTC.is_file():
        return FontChoice(WQY_TTC, "WenQuanYi Micro Hei", covers_rare=False)
    return None
