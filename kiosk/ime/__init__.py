"""Kivy-free input method for the on-screen keyboard: librime pinyin (kiosk.ime.rime_engine) with a
fallback ranking, zinnia handwriting (kiosk.ime.handwriting), and the pinyin-initial item search.

``Lexicon`` is the keyboard's historical name for what ``load`` returns: now an :class:`InputMethod`.
"""

from kiosk.ime.candidate import Candidate
from kiosk.ime.choice import ImeStatus, load, status
from kiosk.ime.data import toneless
from kiosk.ime.engine import Composer, InputMethod
from kiosk.ime.initials import SearchKey, matches, search, search_key
from kiosk.ime.legacy import segment

Lexicon = InputMethod

__all__ = ["Candidate", "Composer", "ImeStatus", "InputMethod", "Lexicon", "SearchKey", "load", "matches",
           "search", "search_key", "segment", "status", "toneless"]
