"""办件查询: a case's progress from the receipt's QR code (case id, or a receipt still in the outbox)
or from the citizen's ID card."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from typing import Any

from kiosk.errors import PlatformError
from kiosk.flows import intents as I
from kiosk.flows.citizen.desk import ServiceDesk
from kiosk.flows.viewmodels import CaseRow, CaseStatusVM, SummaryRow

_CASE_ID = re.compile(r"CQ\d{14}")
_RECEIPT = re.compile(r"[?&]r=([A-Za-z0-9-]{4,64})")
TITLE = "办件查询"


class CaseStatus:
    def __init__(self, desk: ServiceDesk) -> None:
        self.desk = desk

    def _vm(self, speak: str, **fields: Any) -> CaseStatusVM:
        return CaseStatusVM(elder_mode=self.desk.elder, speak=speak, title=TITLE, **fields)

    async def open(self) -> None:
        self.desk.show(self._vm("请扫描回执上的二维码查询办理进度"))

    async def on(self, intent: I.Intent) -> None:
        if not (isinstance(intent, I.Choose) and intent.what == "method"):
            return
        if intent.value == "qr":
            self.desk.show(self._vm("请将回执二维码对准扫码口", phase="scan"))
            reader = self.desk.host.services.terminal.barcode
            result = await reader.read_code() if reader else None
            if not result or not result.ok or result.data is None:
                self.desk.show(self._vm("没有扫到二维码", error="没有扫到二维码，请重试"))
                return
            rows = await self._cases_for_code(result.data.text)
        else:
            self.desk.show(self._vm("请刷身份证并正对摄像头", phase="idcard"))
            rows = await self._cases_for_person()
        if isinstance(rows, str):
            self.desk.show(self._vm(rows, error=rows))
            return
        speak = f"查到{len(rows)}件" + (f"，{rows[0].item_name}{rows[0].status_label}" if rows else "")
        self.desk.show(self._vm(speak, phase="result", cases=tuple(rows), error="" if rows else "没有查到办件"))

    async def _cases_for_code(self, text: str) -> list[CaseRow] | str:
        case = _CASE_ID.search(text)
        if case:
            return await self._case_rows([case.group(0)])
        receipt = _RECEIPT.search(text)
        if not receipt:
            return "二维码不是办件回执，请扫描回执上的二维码"
        found = self._outbox_by_receipt(receipt.group(1))
        if found is None:
            return "本终端没有该回执的记录，请到窗口或渝快办APP查询"
        if not found["case_id"]:
            state = "已受理，正在提交" if found["state"] in ("pending", "held") else "提交受阻，工作人员将处理"  # a dead letter
            return [CaseRow(found["receipt"], "", found["state"], state)]
        return await self._case_rows([found["case_id"]])

    def _outbox_by_receipt(self, receipt: str) -> dict[str, Any] | None:
        """A receipt printed here whose application may not have reached the platform yet."""
        with sqlite3.connect(f"file:{self.desk.host.services.link.outbox.path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT receipt, case_id, state FROM outbox WHERE receipt = ?", (receipt,)).fetchone()
        return {"receipt": row[0], "case_id": row[1], "state": row[2]} if row else None

    async def _case_rows(self, case_ids: list[str]) -> list[CaseRow] | str:
        out = []
        for case_id in case_ids:
            try:
                case = await self.desk.client.get_case(case_id)
            except PlatformError as exc:
                return getattr(exc, "message", "") or "暂时无法查询，请稍后再试"
            steps = tuple(SummaryRow(e.label, dt.datetime.fromtimestamp(e.at).strftime("%m-%d %H:%M")) for e in case.history)
            out.append(CaseRow(case.case_id, case.item_name, case.status, case.status_label,
                               dt.datetime.fromtimestamp(case.history[-1].at).strftime("%Y-%m-%d %H:%M"), case.handling_district, steps))
        return out

    async def _cases_for_person(self) -> list[CaseRow] | str:
        if not await self.desk.identify():
            return "身份核验未通过，请重试"
        lister = getattr(self.desk.client, "list_person_cases", None)
        if lister is None:
            return "按身份证查询暂未开通，请扫描回执二维码查询"
        try:
            cases = await lister(self.desk.person_token)
        except PlatformError as exc:
            return getattr(exc, "message", "") or "暂时无法查询，请稍后再试"
        return await self._case_rows([c.case_id for c in cases][:10])
