"""办件查询 by a typed 受理编号: the citizen keys in the case number (CQ + 14 digits) or the receipt number
printed on the slip (hyphens optional: the on-screen keyboard has none). The rest — scanning the
receipt's QR code, the ID card — stays with ``case_status.CaseStatus``; this only adds the typed path."""

from __future__ import annotations

import re
import sqlite3

from kiosk.flows import intents as I
from kiosk.flows.citizen.case_status import CaseStatus
from kiosk.flows.viewmodels import Option

TYPED = Option("typed", "输入受理编号")
_CASE_ID = re.compile(r"CQ\d{14}")


def normalise(typed: str) -> str:
    """What the citizen keyed in, as compared: letters and digits only, upper case."""
    return re.sub(r"[^0-9A-Za-z]", "", typed).upper()


class CaseNumberLookup:
    def __init__(self, status: CaseStatus) -> None:
        self.status = status

    async def open(self) -> None:
        await self.status.open()

    async def on(self, intent: I.Intent) -> None:
        if isinstance(intent, I.SubmitText):
            await self.lookup(intent.text)
        else:
            await self.status.on(intent)

    async def lookup(self, typed: str) -> None:
        status = self.status
        number = normalise(typed)
        if len(number) < 6:
            status.desk.show(status._vm("请输入完整的受理编号", error="请输入完整的受理编号"))
            return
        if _CASE_ID.fullmatch(number):
            rows = await status._cases_for_code(number)
        else:
            receipt = self._receipt(number)
            rows = await status._cases_for_code(f"?r={receipt}") if receipt else "没有查到该受理编号，请核对后重新输入"
        if isinstance(rows, str):
            status.desk.show(status._vm(rows, error=rows))
            return
        speak = f"查到{len(rows)}件" + (f"，{rows[0].item_name}{rows[0].status_label}" if rows else "")
        status.desk.show(status._vm(speak, phase="result", cases=tuple(rows), error="" if rows else "没有查到办件"))

    def _receipt(self, number: str) -> str:
        """The receipt as stored in this terminal's outbox (with its hyphens), matched without them."""
        path = self.status.desk.host.services.link.outbox.path
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT receipt FROM outbox WHERE UPPER(REPLACE(receipt, '-', '')) = ?", (number,)).fetchone()
        return str(row[0]) if row else ""
