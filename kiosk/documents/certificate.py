"""A4 证明 / 告知书 as PDF bytes, independent of any printer driver.

The PDF embeds a subset of a CJK font (so it prints and extracts identically everywhere) and a QR
code that points at the platform's verification page. The seal is a placeholder text: the real
electronic seal is applied by the platform, never forged locally.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import qrcode
from fpdf import FPDF

from kiosk.fonts import find_document_font

if TYPE_CHECKING:
    from PIL import Image

SEAL_PLACEHOLDER = "（电子印章）"


@dataclass(frozen=True)
class OfficialDocument:
    """What a 证明 or 告知书 says. ``fields`` become a two-column table (label, value)."""

    title: str
    paragraphs: list[str]
    issuer: str  # the issuing hall, e.g. 渝北区政务服务中心
    issued_on: dt.date
    doc_number: str = ""  # 文号, e.g. 渝北政证〔2026〕0001号
    addressee: str = ""  # e.g. 有关单位：
    fields: list[tuple[str, str]] = field(default_factory=list)
    verify_url: str = ""
    seal_text: str = SEAL_PLACEHOLDER
    footnote: str = ""


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _qr_image(text: str) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image()


def render_pdf(doc: OfficialDocument) -> bytes:
    """Render ``doc`` on one or more A4 pages; returns the PDF bytes.

    Blocking, ≈ 0.5–1 s (parsing and subsetting two CJK faces): call it off the event loop
    (``asyncio.to_thread``)."""
    body_face, title_face = find_document_font("serif"), find_document_font("sans-bold")
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(doc.title)
    pdf.set_creator("yukuaiban-kiosk")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_font("body", "", body_face.path, collection_font_number=body_face.index)
    pdf.add_font("title", "", title_face.path, collection_font_number=title_face.index)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("title", size=22)
    pdf.cell(width, 14, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if doc.doc_number:
        pdf.set_font("body", size=11)
        pdf.cell(width, 8, doc.doc_number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    pdf.set_font("body", size=13)
    if doc.addressee:
        pdf.multi_cell(width, 8, doc.addressee, new_x="LMARGIN", new_y="NEXT")
    for paragraph in doc.paragraphs:
        pdf.multi_cell(width, 8, "\u3000\u3000" + paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    if doc.fields:
        pdf.ln(2)
        pdf.set_font("body", size=12)
        with pdf.table(col_widths=(35, 65), text_align=("CENTER", "LEFT"), line_height=8, first_row_as_headings=False) as table:
            for label, value in doc.fields:
                row = table.row()
                row.cell(label)
                row.cell(value)

    pdf.ln(10)
    if pdf.get_y() > pdf.h - 75:  # keep the signature block and QR together
        pdf.add_page()
    block_top = pdf.get_y()
    pdf.set_font("body", size=13)
    right_x = pdf.l_margin + width - 80
    for line in (doc.issuer, chinese_date(doc.issued_on), doc.seal_text):
        pdf.set_x(right_x)
        pdf.cell(80, 9, line, align="C", new_x="LMARGIN", new_y="NEXT")
    if doc.verify_url:
        size = 30.0
        pdf.image(_qr_image(doc.verify_url), x=pdf.l_margin, y=block_top, w=size, h=size)
        pdf.set_xy(pdf.l_margin, block_top + size + 1)
        pdf.set_font("body", size=8)
        pdf.cell(60, 5, "扫码核验真伪", new_x="LMARGIN", new_y="NEXT")
    if doc.footnote:
        pdf.set_y(max(pdf.get_y(), block_top + 36) + 6)
        pdf.set_font("body", size=9)
        pdf.multi_cell(width, 5, doc.footnote, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_certificate(hall: str, terminal_id: str, when: dt.datetime | None = None) -> OfficialDocument:
    """The technician's test page: exercises title, paragraphs, table, QR and seal placeholder."""
    when = when or dt.datetime.now()
    return OfficialDocument(
        title="打印测试证明",
        doc_number=f"测试〔{when.year}〕0001号",
        addressee="设备维护人员：",
        paragraphs=[
            "兹证明本终端A4打印机工作正常，中文字体、表格与二维码均可正确输出。",
            "本页为测试页，不具有法律效力。标点测试：，。；：“”（）《》——￥12.50。",
        ],
        fields=[("终端编号", terminal_id), ("打印时间", when.strftime("%Y-%m-%d %H:%M:%S")), ("测试项目", "字体 / 表格 / 二维码")],
        issuer=hall,
        issued_on=when.date(),
        verify_url=f"https://zwykb.cq.gov.cn/verify?terminal={terminal_id}",
        footnote="如打印内容缺字、错位或空白，请联系运维人员。",
    )


def material_notice(
    item_name: str, applicant_masked: str, problems: list[tuple[str, str]], issuer: str, issued_on: dt.date, case_url: str = "", case_number: str = ""
) -> OfficialDocument:
    """一次性告知书: every missing or rejected material with the rule it fails, on A4.

    ``applicant_masked`` must already be masked (kiosk.privacy): the notice may be left behind.
    """
    return OfficialDocument(
        title="一次性告知书",
        doc_number=f"受理编号：{case_number}" if case_number else "",
        addressee=f"{applicant_masked}：",
        paragraphs=[
            f"您申请办理的“{item_name}”事项，经审查，申请材料尚需补正。现将需补正的全部材料一次性告知如下，请补齐后再次提交。",
        ],
        fields=problems,
        issuer=issuer,
        issued_on=issued_on,
        verify_url=case_url,
        footnote="补正材料可通过渝快办APP、自助终端或窗口提交。如有疑问请咨询窗口工作人员或拨打12345。",
    )
