"""Home-screen search over items and 一件事 (life events): characters, full pinyin, or pinyin initials.

Why pypinyin at index time: citizens type ``sbjf`` or ``shebao`` on the on-screen keyboard far more
often than they finish a Chinese word; each name (and alias) is indexed once as characters, joined
full pinyin and initials, and a query matches any of the three as a substring. The pinyin forms are
cached on disk (kiosk.ime.keys), so a terminal whose catalog is unchanged never imports pypinyin.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.flows.viewmodels import Category, ItemEntry
from kiosk.ime.keys import compute, pinyin_forms
from kiosk.items.loader import Catalog
from kiosk.items.vocab import CATEGORIES


def initials(text: str) -> str:
    return compute(text)[1]


def full_pinyin(text: str) -> str:
    return compute(text)[0]


@dataclass(frozen=True)
class _Indexed:
    entry: ItemEntry
    keys: tuple[str, ...]


class ItemIndex:
    """Built once per catalog; ``search`` ranks name hits before alias and pinyin hits."""

    def __init__(self, catalog: Catalog) -> None:
        rows: list[_Indexed] = []
        names_of = {item.code: (item.name, *(n for n in (item.short_name,) if n), *item.aliases) for item in catalog.items.values()}
        forms = pinyin_forms([n for names in names_of.values() for n in names] + [b.name for b in catalog.life_events.values()])
        for item in catalog.items.values():
            entry = ItemEntry(item.code, item.name, item.category, CATEGORIES.get(item.category, item.category),
                              False, item.department, forms[item.short_name or item.name][1])
            rows.append(_Indexed(entry, self._keys(names_of[item.code], forms)))
        for life_event in catalog.life_events.values():
            entry = ItemEntry(life_event.code, life_event.name, life_event.category, CATEGORIES.get(life_event.category, life_event.category),
                              True, life_event.department, forms[life_event.name][1])
            rows.append(_Indexed(entry, self._keys((life_event.name,), forms)))
        self._rows = tuple(rows)

    @staticmethod
    def _keys(names: tuple[str, ...], forms: dict[str, tuple[str, str]]) -> tuple[str, ...]:
        keys: list[str] = []
        for name in names:
            keys += [name.lower(), *forms[name]]
        return tuple(keys)

    def entries(self) -> tuple[ItemEntry, ...]:
        return tuple(r.entry for r in self._rows)

    def categories(self) -> tuple[Category, ...]:
        counts: dict[str, int] = {}
        for r in self._rows:
            counts[r.entry.category] = counts.get(r.entry.category, 0) + 1
        return tuple(Category(c, CATEGORIES.get(c, c), n) for c, n in counts.items())

    def search(self, query: str, category: str | None = None, limit: int = 20) -> tuple[ItemEntry, ...]:
        q = "".join(query.lower().split())
        scored: list[tuple[int, int, ItemEntry]] = []
        for order, row in enumerate(self._rows):
            if category and row.entry.category != category:
                continue
            if not q:
                scored.append((9, order, row.entry))
                continue
            ranks = [i % 3 + (i // 3) * 3 for i, key in enumerate(row.keys) if q in key]
            if ranks:
                scored.append((min(ranks), order, row.entry))
        scored.sort(key=lambda t: (t[0], t[1]))
        return tuple(e for _, _, e in scored[:limit])
