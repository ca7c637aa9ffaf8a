"""Headless driver: run an item end to end on the sim devices and the embedded platform, printing
each step. ``kiosk simulate`` and the flow tests use this; ``make demo`` uses it until the UI lands.

``Simulator`` keeps one set of services (devices, platform link, store) open across runs, so a
test can run the whole catalog in one process; ``simulate_once`` is the one-shot CLI path.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.flows.controller import Controller
from kiosk.flows.recovery import Recovered, recover
from kiosk.flows.viewmodels import ViewModel
from kiosk.flows.wiring import FlowServices
from kiosk.items.loader import Catalog
from kiosk.privacy import mask_text
from kiosk.settings.model import TerminalConfig
from sim.robot import NotEligible, Persona, Robot, load_personas

Say = Callable[[str], None]


@dataclass
class SimResult:
    code: str
    persona: str
    receipt: str = ""
    case_ids: list[str] = field(default_factory=list)
    printed: bool = False
    certificate_printed: bool = False
    screens: list[str] = field(default_factory=list)
    session_files_left: int = 0
    refused: str = ""  # run_eligible: the eligibility refusal when no demo persona qualifies


class Simulator:
    def __init__(self, services: FlowServices, say: Say = print, personas: dict[str, Persona] | None = None) -> None:
        self.services = services
        self.say_raw = say
        self.personas = personas or load_personas()
        self.worker: asyncio.Task[None] | None = None
        self.recovered: list[Recovered] = []

    def say(self, text: str) -> None:
        self.say_raw(mask_text(text, self.services.names.snapshot()))

    @classmethod
    async def open(cls, config: TerminalConfig, say: Say = print, personas: dict[str, Persona] | None = None,
                   catalog: Catalog | None = None) -> Simulator:
        from kiosk.assembly import open_flow_services

        services = await open_flow_services(config, catalog=catalog)
        sim = cls(services, say, personas)
        sim.worker = asyncio.get_running_loop().create_task(services.link.worker.run(), name="outbox-worker")
        sim.recovered = await recover(services)
        for r in sim.recovered:
            sim.say(f"[recovery] {r.item_code} 会话 {r.session_id[:8]} 停在 {r.state}：{r.outcome} {' '.join(r.receipts)}")
        return sim

    async def close(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.worker
        await self.services.aclose()

    async def run(self, code: str, persona: str, *, mode: str | None = None, agent: bool = False, elder: bool = False,
                  print_notice: bool = False, drain_s: float = 15.0, out: Path | None = None) -> SimResult:
        chosen = self.personas[persona]
        if agent and not chosen.agent:
            chosen = Persona(**{**chosen.__dict__, "agent": True, "principal_idcard": chosen.principal_idcard or "lixiuying"})
        screens: list[str] = []

        def on_view(vm: ViewModel) -> None:
            screens.append(vm.kind)

        controller = Controller(self.services, on_view, elder=elder)
        name = self.services.catalog.life_events[code].name if code in self.services.catalog.life_events else self.services.catalog.item(code).name
        self.say(f"== {code} {name} | persona {persona}{' | 代办' if chosen.agent else ''}{' | 适老化' if elder else ''}{f' | mode {mode}' if mode else ''}")
        keep = out / f"{code}-{persona}{'-elder' if elder else ''}-receipt.png" if out else None
        robot = Robot(controller, chosen, self.say, mode=mode, print_notice=print_notice, keep_receipt=keep)
        try:
            receipt = await robot.run(code)
        finally:
            if controller.session is not None:
                await controller.end("simulation aborted")
        result = SimResult(code, persona, screens=screens)
        if receipt is not None:
            result.receipt, result.printed, result.certificate_printed = receipt.receipt_number, receipt.printed, receipt.certificate_printed
        await self.delivered(drain_s)
        for row in self._entries_since(result.receipt):
            if row.get("case_id"):
                result.case_ids.append(row["case_id"])
        root = self.services.sessions_root
        result.session_files_left = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
        self.say(f"== 完成：回执 {result.receipt}；平台办件 {', '.join(result.case_ids) or '（待上传）'}；会话数据残留文件 {result.session_files_left} 个")
        return result

    async def run_eligible(self, code: str, persona: str, **options: Any) -> SimResult:
        """``run`` as ``persona``, or, when the item's eligibility rules refuse them (age, 户籍, 婚姻 …), as the
        first other demo persona they admit. None admitted: a result without a receipt whose ``refused``
        names the condition and its basis (the engine refusing is the engine working, not a failure)."""
        last = ""
        for name in [persona, *(p for p in self.personas if p != persona and not self.personas[p].agent)]:
            try:
                return await self.run(code, name, **options)
            except NotEligible as refused:
                self.say(f"== {name} 不符合办理条件：{refused.text}")
                last = refused.text
        return SimResult(code, persona, refused=last)

    async def delivered(self, timeout_s: float) -> bool:
        """Wait until the background worker has emptied the outbox (drain() would race with it)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while self.services.link.outbox.stats().depth:
            if asyncio.get_running_loop().time() > deadline:
                return False
            self.services.link.worker.kick()
            await asyncio.sleep(0.05)
        return True

    def _entries_since(self, receipt: str) -> list[dict[str, object]]:
        import sqlite3

        if not receipt:
            return []
        with sqlite3.connect(f"file:{self.services.link.outbox.path}?mode=ro", uri=True) as conn:
            seq = conn.execute("SELECT seq FROM outbox WHERE receipt = ?", (receipt,)).fetchone()
            if seq is None:
                return []
            rows = conn.execute("SELECT receipt, case_id, state FROM outbox WHERE seq >= ? ORDER BY seq", (seq[0],)).fetchall()
        return [{"receipt": r[0], "case_id": r[1], "state": r[2]} for r in rows]
