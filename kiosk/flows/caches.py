"""FlowCaches: what the flow layer builds lazily once per process and reuses across sessions.

Why typed fields and not a dict: each cache has one builder and one reader; with ``extras[...]``
nothing said which key held what, and a typo built a second copy silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.flows.search import ItemIndex
from kiosk.items.loader import Catalog

if TYPE_CHECKING:
    from kiosk.knowledge.base import KnowledgeBase


@dataclass
class FlowCaches:
    districts: dict[str, str] | None = None  # district code → name, from the platform (or just the terminal's own)
    hall_centre: Any = None  # the platform's centre record for this hall (kiosk.platform client model)
    _index: ItemIndex | None = field(default=None, repr=False)
    _index_of: Catalog | None = field(default=None, repr=False)
    _knowledge: KnowledgeBase | None = field(default=None, repr=False)

    def item_index(self, catalog: Catalog) -> ItemIndex:
        """The search index of ``catalog``, rebuilt when the catalog object changes (a remote config reload)."""
        if self._index is None or self._index_of is not catalog:
            self._index, self._index_of = ItemIndex(catalog), catalog
        return self._index

    def knowledge(self, faq_dir: Path, db_path: Path) -> KnowledgeBase:
        if self._knowledge is None:
            from kiosk.knowledge.base import KnowledgeBase  # sqlite-utils + jieba: only when the FAQ is first opened

            self._knowledge = KnowledgeBase.build(faq_dir, db_path)
        return self._knowledge
