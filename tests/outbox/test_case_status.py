"""The citizen's receipt finds its application on 办件查询 while it is still in this terminal's outbox:
pending or held → 已受理，正在提交; a dead letter → 提交受阻，工作人员将处理; never "not found"."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from kiosk.flows.citizen.case_status import CaseStatus
from kiosk.terminal.outbox import Outbox


def _status(outbox: Outbox) -> CaseStatus:
    desk = SimpleNamespace(host=SimpleNamespace(services=SimpleNamespace(link=SimpleNamespace(outbox=outbox))), client=None, elder=False)
    return CaseStatus(desk)  # type: ignore[arg-type]


async def test_a_receipt_still_in_the_outbox_answers_with_its_state(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db", tmp_path / "outbox.key", "CQ-500112-T001")
    pending, held, dead = (outbox.enqueue({"item_code": "CQ-RS-0004", "form": {}}) for _ in range(3))
    outbox.mark_held(held.id, "ITEM_UNKNOWN", "事项不存在", "item_code")
    outbox.mark_rejected(dead.id, "DISTRICT_UNKNOWN", "行政区划代码不属于重庆市区县", "receiving_district")
    status = _status(outbox)
    labels = {}
    for entry in (pending, held, dead):
        rows = await status._cases_for_code(f"https://zwykb.cq.gov.cn/progress?r={entry.receipt}")
        assert isinstance(rows, list) and rows[0].case_number == entry.receipt
        labels[entry.receipt] = rows[0].status_label
    assert labels == {pending.receipt: "已受理，正在提交", held.receipt: "已受理，正在提交", dead.receipt: "提交受阻，工作人员将处理"}
    unknown = await status._cases_for_code("https://zwykb.cq.gov.cn/progress?r=CQ-500112-T001-20261202-999999")
    assert isinstance(unknown, str) and "没有该回执" in unknown
