"""The name hint: in a name field, ``wangxiaoming`` should give 王小明, not the word 网小明.

A general engine ranks words; a person's name is rarely a word (李华 loses to 梨花). When the
keyboard types into a name field it sets ``Composer.hint = "name"``; the candidate bar then offers
surname + the commonest given-name character of each following syllable (names.json: the 100
commonest surnames, given-name characters by frequency) — first, unless librime's own first
candidate already reads as a name (张三), when it comes second. The index of readings is built
with pypinyin when the rime data is compiled (kiosk.ime.rime_data), so a warm start never imports it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

NAMES = Path(__file__).with_name("names.json")
INDEX = "names-index.json"


def build_index(names: Path = NAMES) -> dict[str, dict[str, list[str]]]:
    """syllable → surnames / given-name characters, most common first (readings by pypinyin)."""
    from pypinyin import Style, lazy_pinyin

    doc = json.loads(names.read_text(encoding="utf-8"))

    def reading(ch: str) -> str:
        return lazy_pinyin(ch, style=Style.NORMAL)[0].replace("ü", "v")

    index: dict[str, dict[str, list[str]]] = {"surname": {}, "given": {}}
    for ch in doc["surnames"]:
        index["surname"].setdefault(doc["surname_readings"].get(ch) or reading(ch), []).append(ch)
    for ch in doc["given"]:
        index["given"].setdefault(reading(ch), []).append(ch)
    return index


@dataclass(frozen=True)
class NameGuesser:
    surname: dict[str, list[str]]
    given: dict[str, list[str]]

    @classmethod
    def load(cls, path: Path) -> NameGuesser:
        index = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        return cls(index.get("surname", {}), index.get("given", {}))

    def guess(self, syllables: list[str]) -> str:
        """Surname + given name for 2–4 syllables ('' when the first is no common surname)."""
        if not 2 <= len(syllables) <= 4 or syllables[0] not in self.surname:
            return ""
        given = [self.given.get(s, [""])[0] for s in syllables[1:]]
        return self.surname[syllables[0]][0] + "".join(given) if all(given) else ""

    def reads_as_name(self, text: str, syllables: list[str]) -> bool:
        """Does librime's candidate already look like a name (张三: a surname, then given-name characters)?"""
        if len(text) != len(syllables) or text[0] not in self.surname.get(syllables[0], []):
            return False
        return all(ch in self.given.get(s, []) for ch, s in zip(text[1:], syllables[1:], strict=True))
