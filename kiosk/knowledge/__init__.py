"""FAQ knowledge base (政策问答): ``KnowledgeBase.build(dir, db)`` then ``.search(query, limit)``."""

from kiosk.knowledge.base import Entry, Hit, KnowledgeBase, load_content
from kiosk.knowledge.tokenize import tokens

__all__ = ["Entry", "Hit", "KnowledgeBase", "load_content", "tokens"]
