"""The printed slip of a queue number or an appointment (the check-in code is what the hall's
screen calls)."""

from __future__ import annotations

from kiosk.flows.viewmodels import TicketVM
from kiosk.terminal.receipt import Align, ReceiptDocument


def ticket_document(ticket: TicketVM) -> ReceiptDocument:
    doc = ReceiptDocument(title=f"排队号 {ticket.number}")
    doc.text("预约凭证" if ticket.kind == "appointment" else "排队号", Align.CENTER, bold=True, width=2, height=2)
    doc.text(ticket.number, Align.CENTER, bold=True, width=3, height=3)
    doc.kv("网点", ticket.centre)
    doc.kv("时间", ticket.time)
    if ticket.kind == "queue":
        doc.kv("前面等候", f"{ticket.waiting_ahead}人")
    doc.cut()
    return doc
