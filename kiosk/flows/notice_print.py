"""The 一次性告知书 printed from the guide: every needed material, what it must be, and its basis.

Apart from ``itemflow`` so the flow keeps to steps and transitions; pure except for the printer call.
"""

from __future__ import annotations

import datetime as dt

from kiosk.flows import plan as P
from kiosk.flows.record import FlowRecord
from kiosk.receipts import MaterialProblem, NoticeOfMissing, build_notice
from kiosk.terminal.facade import Terminal


async def print_notice(plan: P.Plan, record: FlowRecord, terminal: Terminal, number: str, hall: str, terminal_id: str) -> tuple[bool | None, str]:
    """(printed, error); printed is None when the situation needs no material (nothing to print)."""
    listed = P.materials(plan, record.answers, record.values, record.identity_kind, None)
    problems = tuple(
        MaterialProblem(
            pm.material.name,
            "需提交",
            pm.material.description or pm.material.name,
            "；".join(dict.fromkeys(pm.item.basis_by_id(r.rejection.basis_ref).cite() for r in pm.material.review_points)),
        )
        for pm, needed in listed
        if needed
    )
    if not problems:
        return None, ""
    applicant = (record.identity.person.get("name", "") if record.identity else "") or "申请人"
    doc = build_notice(NoticeOfMissing(number, plan.name, applicant, dt.datetime.now(), hall, terminal_id, problems))
    printer = terminal.printer
    result = await printer.print_document(doc) if printer else None
    printed = bool(result and result.ok)
    return printed, "" if printed else ((result.citizen_message if result else "") or "告知书打印失败，请拍照留存")
