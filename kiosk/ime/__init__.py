"""Kivy-free input method for the on-screen keyboard: pinyin composer, lexicon, pinyin-initial search."""

from kiosk.ime.cache import load
from kiosk.ime.data import Lexicon, build, toneless
from kiosk.ime.engine import Candidate, Composer, segment
from kiosk.ime.initials import SearchKey, matches, search, search_key

__all__ = ["Candidate", "Composer", "Lexicon", "SearchKey", "build", "load", "matches", "search",
           "search_key", "segment", "toneless"]
