"""What ``kiosk doctor`` should say about the IME, without starting it: is librime there with its
pinyin data (else the keyboard falls back to the hand-built ranking and guesses worse), is the
domain dictionary compiled for this catalog (else the first keyboard waits ~20 s), is handwriting
available. Cheap: loads the libraries, reads no dictionary.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

from kiosk.ime import rime_data
from kiosk.ime.handwriting import MODEL
from kiosk.ime.rime import Rime, RimeUnavailable


def report() -> dict[str, Any]:
    result: dict[str, Any] = {"engine": "librime", "ok": True, "detail": "", "compiled": "", "handwriting": True}
    try:
        rime = Rime.get()
        if not (rime_data.SHARED / "luna_pinyin.dict.yaml").is_file():
            raise RimeUnavailable(f"no luna_pinyin data in {rime_data.SHARED}; install rime-data-luna-pinyin")
        compiled = rime_data.compiled_dir()
        result["detail"] = f"librime {rime.version}, schema {rime_data.SCHEMA}"
        result["compiled"] = str(compiled) if compiled.is_dir() else ""
    except RimeUnavailable as exc:
        result.update(engine="fallback", ok=False, detail=f"IME on the fallback ranking: {exc}")
    try:
        ctypes.CDLL(ctypes.util.find_library("zinnia") or "libzinnia.so.0")
        result["handwriting"] = MODEL.is_file()
    except OSError:
        result["handwriting"] = False
    if not result["handwriting"]:
        result["ok"] = False
        result["detail"] = (result["detail"] + "; " if result["detail"] else "") + \
            "no handwriting: install libzinnia0 tegaki-zinnia-simplified-chinese"
    return result
