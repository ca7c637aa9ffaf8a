"""受理回执: the citizen's proof that the application was accepted, with a QR to follow its progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from kiosk.privacy import mask_id_number, mask_name, mask_text
from kiosk.terminal.receipt import Align, ReceiptDocument


@dataclass(frozen=True)
class MaterialReceived:
    name: str
    copies: int = 1
    form: str = "原件"  # 原件 | 复印件 | 电子证照 | 扫描件 | 高拍件


@dataclass(frozen=True)
class AcceptanceReceipt:
    """What a 受理回执 says. Personal data arrive unmasked and are masked here, on paper too."""

    case_number: str
    item_name: str
    applicant_name: str
    accepted_at: datetime
    terminal_id: str
    hall: str
    progress_url: str
    delivery: str  # e.g. 窗口自取 / 邮寄（渝北区…）
    materials: tuple[MaterialReceived, ...] = ()
    applicant_id_number: str = ""
    fee: Decimal = Decimal("0")
    time_limit: str = ""  # 承诺办结时限, e.g. 5个工作日
    department: str = ""
    hotline: str = "023-12345"
    extra_notes: tuple[str, ...] = field(default=())


def build_acceptance_receipt(data: AcceptanceReceipt) -> ReceiptDocument:
    doc = ReceiptDocument(title=f"受理回执 {data.case_number}")
    doc.text("渝快办", Align.CENTER, bold=True, width=2, height=2)
    doc.text("受理回执", Align.CENTER, bold=True, width=2, height=2)
    doc.separator("=")
    doc.kv("受理编号", data.case_number, bold=True)
    doc.kv("办理事项", data.item_name)
    if data.department:
        doc.kv("受理部门", data.department)
    applicant = mask_name(data.applicant_name)
    if data.applicant_id_number:
        applicant += f"（{mask_id_number(data.applicant_id_number)}）"
    doc.kv("申请人", applicant)
    doc.kv("受理时间", data.accepted_at.strftime("%Y-%m-%d %H:%M:%S"))
    doc.kv("受理地点", data.hall)
    doc.kv("终端编号", data.terminal_id)
    if data.time_limit:
        doc.kv("承诺时限", data.time_limit)
    doc.kv("收费金额", f"￥{data.fee:.2f}" + ("（不收费）" if data.fee == 0 else ""))
    doc.kv("取件方式", mask_text(data.delivery))
    if data.materials:
        doc.separator()
        doc.text("【已收材料】", bold=True)
        rows = [(f"{n}. {m.name}", m.form, str(m.copies)) for n, m in enumerate(data.materials, 1)]
        doc.table(("材料名称", "形式", "份数"), rows, weights=(6, 3, 2), aligns=(Align.LEFT, Align.LEFT, Align.RIGHT))
    doc.separator()
    for note in data.extra_notes:
        doc.text(note)
    doc.text("扫描下方二维码，或登录“渝快办”查询办理进度。", Align.LEFT)
    doc.feed(1)
    doc.qr(data.progress_url, size=6)
    doc.text(data.progress_url, Align.CENTER)
    doc.text(f"咨询电话：{data.hotline}", Align.CENTER)
    doc.text("请妥善保管本回执，凭受理编号领取办理结果。", Align.CENTER)
    doc.cut()
    return doc
