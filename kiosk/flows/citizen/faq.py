"""常见问题: the FAQ knowledge base searched by what the citizen says or types."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.flows import intents as I
from kiosk.flows.citizen.desk import ServiceDesk
from kiosk.flows.viewmodels import FaqHit, FaqVM

if TYPE_CHECKING:
    from kiosk.knowledge.base import KnowledgeBase

SUGGESTIONS = ("社保卡丢了怎么办", "怎么打印参保证明", "异地就医怎么备案")


class Faq:
    def __init__(self, desk: ServiceDesk) -> None:
        self.desk = desk

    def knowledge(self) -> KnowledgeBase:
        services = self.desk.host.services
        return services.caches.knowledge(services.faq_dir, services.data_dir / "knowledge.db")

    async def open(self) -> None:
        self.desk.show(FaqVM(elder_mode=self.desk.elder, speak="请说出或输入您的问题", title="常见问题", suggestions=SUGGESTIONS))

    async def on(self, intent: I.Intent) -> None:
        if isinstance(intent, (I.SubmitText, I.Search)):
            query = intent.text if isinstance(intent, I.SubmitText) else intent.query
            hits = tuple(FaqHit(h.id, h.question, h.answer, h.topic, h.items[0] if h.items else "") for h in self.knowledge().search(query, 5))
            speak = hits[0].answer if hits else "没有找到相关问题，可以点帮办请工作人员协助"
            self.desk.show(FaqVM(elder_mode=self.desk.elder, speak=speak, title="常见问题", query=query, hits=hits))
