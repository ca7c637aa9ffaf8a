"""Handwriting: strokes drawn on the pad → ranked characters, by zinnia and its Simplified Chinese model.

A thin ctypes binding to libzinnia (Debian ``libzinnia0``; API of ``/usr/include/zinnia.h``) with the
Tegaki model (``tegaki-zinnia-simplified-chinese``). Elderly citizens expect to write a character
they cannot spell. Strokes are lists of (x, y) points in pad coordinates, y growing downwards (the
convention of the model's training data); ``size`` is the pad's square side. Nothing is stored.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Sequence
from ctypes import c_char_p, c_float, c_int, c_size_t, c_void_p
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError

MODEL = Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model")
Stroke = Sequence[tuple[float, float]]

_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "zinnia_version": (c_char_p, []),
    "zinnia_recognizer_new": (c_void_p, []),
    "zinnia_recognizer_destroy": (None, [c_void_p]),
    "zinnia_recognizer_open": (c_int, [c_void_p, c_char_p]),
    "zinnia_recognizer_strerror": (c_char_p, [c_void_p]),
    "zinnia_recognizer_classify": (c_void_p, [c_void_p, c_void_p, c_size_t]),
    "zinnia_character_new": (c_void_p, []),
    "zinnia_character_destroy": (None, [c_void_p]),
    "zinnia_character_set_width": (None, [c_void_p, c_size_t]),
    "zinnia_character_set_height": (None, [c_void_p, c_size_t]),
    "zinnia_character_add": (c_int, [c_void_p, c_size_t, c_int, c_int]),
    "zinnia_result_value": (c_char_p, [c_void_p, c_size_t]),
    "zinnia_result_score": (c_float, [c_void_p, c_size_t]),
    "zinnia_result_size": (c_size_t, [c_void_p]),
    "zinnia_result_destroy": (None, [c_void_p]),
}


class HandwritingUnavailable(KioskError):
    """libzinnia or its Simplified Chinese model is not installed: the pad is not offered."""


@dataclass(frozen=True)
class Guess:
    text: str
    score: float


class Recognizer:
    """One opened model (about 15 MB, opened once per process); ``classify`` is thread-safe."""

    _shared: Recognizer | None = None
    _shared_lock = threading.Lock()

    def __init__(self, model: Path = MODEL) -> None:
        try:
            self.lib = ctypes.CDLL(ctypes.util.find_library("zinnia") or "libzinnia.so.0")
        except OSError as exc:
            raise HandwritingUnavailable(f"libzinnia not loadable ({exc}); install libzinnia0") from exc
        for name, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(self.lib, name)
            function.restype = restype
            function.argtypes = argtypes
        if not model.is_file():
            raise HandwritingUnavailable(f"no handwriting model at {model}; install tegaki-zinnia-simplified-chinese")
        self.version = (self.lib.zinnia_version() or b"").decode()
        self._lock = threading.Lock()
        self._recognizer = self.lib.zinnia_recognizer_new()
        if not self.lib.zinnia_recognizer_open(self._recognizer, str(model).encode()):
            error = (self.lib.zinnia_recognizer_strerror(self._recognizer) or b"").decode()
            self.lib.zinnia_recognizer_destroy(self._recognizer)
            raise HandwritingUnavailable(f"zinnia could not open {model}: {error}")

    @classmethod
    def shared(cls) -> Recognizer:
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def classify(self, strokes: Sequence[Stroke], size: float, best: int = 10) -> list[Guess]:
        """The ``best`` likeliest characters for ``strokes`` drawn on a ``size``×``size`` pad."""
        drawn = [s for s in strokes if s]
        if not drawn:
            return []
        with self._lock:
            character = self.lib.zinnia_character_new()
            try:
                self.lib.zinnia_character_set_width(character, max(1, int(size)))
                self.lib.zinnia_character_set_height(character, max(1, int(size)))
                for number, stroke in enumerate(drawn):
                    for x, y in stroke:
                        self.lib.zinnia_character_add(character, number, int(round(x)), int(round(y)))
                result = self.lib.zinnia_recognizer_classify(self._recognizer, character, best)
                if not result:
                    return []
                try:
                    return [Guess((self.lib.zinnia_result_value(result, i) or b"").decode("utf-8", "replace"),
                                  float(self.lib.zinnia_result_score(result, i)))
                            for i in range(self.lib.zinnia_result_size(result))]
                finally:
                    self.lib.zinnia_result_destroy(result)
            finally:
                self.lib.zinnia_character_destroy(character)


def recognize(strokes: Sequence[Stroke], size: float = 300, best: int = 10) -> list[str]:
    """Ranked characters for the strokes (best first); HandwritingUnavailable without zinnia."""
    return [guess.text for guess in Recognizer.shared().classify(strokes, size, best)]
