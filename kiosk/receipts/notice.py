"""一次性告知书: every missing or rejected material at once, each with the rule and basis it fails.

Why all at once: 一次性告知 is a legal duty — the citizen must not come back twice for the same case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.privacy import mask_name
from kiosk.terminal.receipt import Align, ReceiptDocument


@dataclass(frozen=True)
class MaterialProblem:
    material: str
    problem: str  # 缺少 | 不符合要求: 证件已过期 …
    rule: str  # the 审核要点 it fails
    basis: str = ""  # 设定依据, e.g. 《…办法》第X条


@dataclass(frozen=True)
class NoticeOfMissing:
    reference: str  # the case or pre-application number
    item_name: str
    applicant_name: str
    issued_at: datetime
    hall: str
    terminal_id: str
    problems: tuple[MaterialProblem, ...]
    hotline: str = "023-12345"


def build_notice(data: NoticeOfMissing) -> ReceiptDocument:
    if not data.problems:
        raise ValueError("a 一次性告知书 needs at least one missing or rejected material")
    doc = ReceiptDocument(title=f"一次性告知书 {data.reference}")
    doc.text("一次性告知书", Align.CENTER, bold=True, width=2, height=2)
    doc.separator("=")
    doc.kv("编号", data.reference)
    doc.kv("办理事项", data.item_name)
    doc.kv("申请人", mask_name(data.applicant_name))
    doc.kv("告知时间", data.issued_at.strftime("%Y-%m-%d %H:%M"))
    doc.kv("告知地点", data.hall)
    doc.kv("终端编号", data.terminal_id)
    doc.separator()
    doc.text(f"您申请的事项尚需补正以下{len(data.problems)}项材料：", bold=True)
    for n, p in enumerate(data.problems, 1):
        doc.text(f"{n}. 【{p.problem}】{p.material}", bold=True)
        doc.text(f"审核要求：{p.rule}", indent=3)
        if p.basis:
            doc.text(f"依据：{p.basis}", indent=3)
    doc.separator()
    doc.text("以上为需补正的全部内容，补齐后可再次办理。", Align.LEFT)
    doc.text(f"咨询电话：{data.hotline}", Align.CENTER)
    doc.cut()
    return doc
