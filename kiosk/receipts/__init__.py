"""Receipt templates: plain typed inputs in, a ``ReceiptDocument`` out (no flow objects, no printer)."""

from kiosk.receipts.acceptance import AcceptanceReceipt, MaterialReceived, build_acceptance_receipt
from kiosk.receipts.notice import MaterialProblem, NoticeOfMissing, build_notice
from kiosk.receipts.testpage import build_test_page

__all__ = [
    "AcceptanceReceipt", "MaterialProblem", "MaterialReceived", "NoticeOfMissing",
    "build_acceptance_receipt", "build_notice", "build_test_page",
]
