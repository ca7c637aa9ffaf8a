"""The technician's test page: every size, alignment, ￥, CJK punctuation, rare characters, a QR, a cut."""

from __future__ import annotations

from datetime import datetime

from kiosk.terminal.receipt import Align, ReceiptDocument

PUNCTUATION = "【】，。、“”《》：；？！（）￥"
RARE = "䶮 𠮷 龘 堃"


def build_test_page(terminal_id: str, now: datetime, qr_data: str = "https://zwykb.cq.gov.cn/test") -> ReceiptDocument:
    doc = ReceiptDocument(title="打印机测试页")
    doc.text("打印机测试页", Align.CENTER, bold=True, width=2, height=2)
    doc.kv("终端", terminal_id)
    doc.kv("时间", now.strftime("%Y-%m-%d %H:%M:%S"))
    doc.separator()
    for w, h in ((1, 1), (1, 2), (2, 1), (2, 2), (3, 3)):
        doc.text(f"{w}x{h} 渝快办", width=w, height=h)
    doc.text("加粗 Bold 12345", bold=True)
    for a in Align:
        doc.text(f"{a.value} 对齐", a)
    doc.separator()
    doc.text(f"标点：{PUNCTUATION}")
    doc.kv("金额", "￥12.50")
    doc.text(f"生僻字：{RARE}")
    doc.text("ASCII: The quick brown fox jumps over the lazy dog 0123456789")
    doc.table(("项目", "数量", "金额"), [("工本费", "1", "￥10.00"), ("邮寄费 EMS", "1", "￥12.50")],
              weights=(4, 2, 3), aligns=(Align.LEFT, Align.RIGHT, Align.RIGHT))
    doc.separator()
    doc.feed(1)
    doc.qr(qr_data, size=5)
    doc.text(qr_data, Align.CENTER)
    doc.cut()
    return doc
