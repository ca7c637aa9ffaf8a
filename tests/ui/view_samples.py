"""One view-model per screen for the glyph test, filled from the real data sources: the item catalog
(names, questions, fields, materials), the real item search (pinyin initials), the platform seed's
centres, the FAQ knowledge base and a receipt rendered through the ESC/POS renderer — plus the rare
characters (䶮, 𠮷) a name may hold. Replaces the scripted StoryPort the test used to take them from.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

from kiosk.content import faq_dir, items_dir
from kiosk.flows import viewmodels as V
from kiosk.flows.citizen.complaint import COMPLAINT_KINDS
from kiosk.flows.controller import HIGH_FREQUENCY, SERVICES
from kiosk.flows.handover import qr_png
from kiosk.flows.search import ItemIndex
from kiosk.items.loader import load_catalog
from kiosk.privacy import mask_id_number, mask_name
from sim.ui.pictures import face_preview, page_on_desk

REPO = Path(__file__).resolve().parents[2]
HALL = "渝北区政务服务中心（演示）"
SOURCES = {"elicense": "调用电子证照", "scanner": "扫描仪扫描", "doccam": "高拍仪拍摄", "photo": "拍照上传"}


def sample_view_models(out: Path) -> list[V.ViewModel]:
    catalog = load_catalog(items_dir())
    index = ItemIndex(catalog)
    entries = {e.code: e for e in index.entries()}
    frequent = tuple(entries[c] for c in HIGH_FREQUENCY if c in entries)
    item = catalog.items["00011200600001"]
    situation = item.situations[1]
    values = {"name": "张䶮", "guardian_name": "张䶮", "id_number": "50011219900101123X", "child_name": "王𠮷"}
    fields = tuple(V.FieldVM(f.id, f.label, f.type, values.get(f.id, ""), prefilled=bool(f.prefill), editable=f.editable,
                             required=f.required) for f in item.fields if f.id in set(situation.fields))[:7]
    materials = tuple(V.MaterialVM(m.id, m.name, "captured" if i == 0 else "pending",
                                   tuple(V.Option(s, SOURCES[s]) for s in m.capture if s in SOURCES),
                                   originals=m.originals, copies=m.copies, pages=1 if i == 0 else 0)
                      for i, m in enumerate(m for m in item.materials if m.id in set(situation.materials)))[:4]
    jpeg, corners = page_on_desk()
    attract = V.AttractVM(hall_name=HALL, high_frequency=frequent, hall_message="今日 12:00-13:00 午间不休，自助终端 7×24 小时服务")
    question = item.questions[0]
    return [
        attract,
        V.HomeVM(categories=index.categories(), high_frequency=frequent, services=SERVICES, query="shbzk",
                 results=index.search("shbzk")),
        V.AttractVM(hall_name=HALL, high_frequency=frequent, out_of_service=True, out_of_service_reason="身份证阅读器故障"),
        V.IdentifyVM(item_name=item.name, methods=(V.Option("agent", "代办"),), phase="face", role="agent",
                     guidance="请正对摄像头，保持不动", preview_jpeg=face_preview()),
        V.GuideVM(item_name=item.name, question_id=question.id, question=question.text,
                  options=tuple(V.Option(o.id, o.label) for o in question.options)),
        V.NoticeVM(item_name=item.name, situation="成年人首次申领", materials=(V.SummaryRow("居民身份证", "原件1份"),),
                   conditions=item.conditions[:2], time_limit="5个工作日", fees="不收费"),
        V.FormVM(item_name=item.name, fields=fields, can_next=True),
        V.MaterialsVM(item_name=item.name, materials=materials, preview_jpeg=jpeg, outline=corners, capturing="doccam"),
        V.SignatureVM(item_name=item.name, statement="本人承诺所填信息真实有效", signer="张*"),
        V.ConfirmVM(item_name=item.name, rows=(V.SummaryRow("申请人", mask_name(values["name"]), "基本信息"),
                                               V.SummaryRow("证件号码", mask_id_number(values["id_number"]), "基本信息"),
                                               V.SummaryRow("子女姓名", values["child_name"], "申请信息")),
                    modes=(), mode="", deliveries=tuple(V.Option(d.method, d.method) for d in item.delivery),
                    delivery=item.delivery[0].method, time_limit="5个工作日", fees="不收费", routing_note="本终端受理"),
        V.ProgressVM(message="正在提交，请稍候", cancellable=True),
        _receipt(item.name, values, out),
        V.EvaluateVM(),
        V.CaseStatusVM(phase="result", cases=(V.CaseRow("YKB1", item.name, "review", "审核中", "今天"),)),
        _centres(),
        _faq("社保卡丢了"),
        V.HelpVM(requested=True, request_id="H00001"),
        V.ComplaintVM(categories=COMPLAINT_KINDS, category="slow", text="社保卡丢了", submitted=True, reference="BBC0123456789AB",
                      speak="已收到您的反映，将在2026-12-09前回复"),
        V.AppointmentVM(centres=(V.Option("c1", "渝北区政务服务中心", "800米"),), centre="c1", days=(V.Option("2026-12-03", "12-03 周四"),),
                        day="2026-12-03", slots=(V.Option("now", "现场取号（今天）"), V.Option("1764723600", "12-03 09:00", "余5"))),
        V.AppointmentVM(centres=(V.Option("c1", "渝北区政务服务中心", "800米"),), centre="c1", printed=True,
                        ticket=V.TicketVM("A012", "渝北区政务服务中心", waiting_ahead=3, time="10:15")),
        V.HandoverVM(item_name=item.name, qr_payload="https://zwykb.cq.gov.cn/h/demo", expires_in_s=600,
                     qr_png=qr_png("https://zwykb.cq.gov.cn/h/demo")),
        V.MessageVM(title="提示", text="打印机缺纸，回执号已显示在屏幕上", level="error"),
    ]


def _receipt(item_name: str, values: dict[str, str], out: Path) -> V.ReceiptVM:
    from drivers.printer.preview import render_document
    from kiosk.receipts import (
        AcceptanceReceipt,
        MaterialReceived,
        build_acceptance_receipt,
    )

    number = "YKB20261126000001"
    document = build_acceptance_receipt(AcceptanceReceipt(
        case_number=number, item_name=item_name, applicant_name=values["name"], accepted_at=datetime(2026, 11, 26, 9, 30),
        terminal_id="CQ-500112-DEMO", hall=HALL, progress_url=f"https://zwykb.cq.gov.cn/q/{number}", delivery="窗口自取",
        materials=(MaterialReceived("居民身份证", form="高拍件"),), applicant_id_number=values["id_number"], time_limit="5个工作日"))
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"receipt-{number}.png"
    path.write_bytes(render_document(document).png())
    return V.ReceiptVM(item_name=item_name, receipt_number=number, receipt_png_path=str(path), printed=True,
                       way_forward="可扫描回执二维码查询办理进度", can_cancel=False)


def _centres() -> V.CentresVM:
    seed = json.loads((REPO / "sim/sim/platform/seed/centres.json").read_text(encoding="utf-8"))["centres"]
    here = next((c for c in seed if c["district_code"] == "500112"), seed[0])
    rows = []
    for c in seed:
        x = (c["lon"] - here["lon"]) * 111_320 * math.cos(math.radians(here["lat"]))
        y = (c["lat"] - here["lat"]) * 110_540
        rows.append(V.CentreRow(c["centre_id"], c["name"], c["address"], c["district_code"], int(math.hypot(x, y)), x, y,
                                c.get("hours", ""), c.get("phone", "")))
    rows.sort(key=lambda r: r.distance_m)
    return V.CentresVM(hall_name=HALL, centres=tuple(rows[:6]))


def _faq(query: str) -> V.FaqVM:
    from kiosk.knowledge import KnowledgeBase

    kb = KnowledgeBase.build(faq_dir(), ":memory:")
    hits = tuple(V.FaqHit(h.id, h.question, h.answer, h.topic) for h in kb.search(query, 3))
    return V.FaqVM(query=query, hits=hits, suggestions=("社保卡丢了怎么补办", "异地就医怎么备案"))
