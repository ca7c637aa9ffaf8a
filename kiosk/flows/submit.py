"""Submit and receipt: routing by handling mode, the durable outbox, the 受理回执 and result documents.

Why through the outbox: the citizen gets a local receipt number the moment the application is
committed to disk, whether or not the platform answers; the delivery worker sends it with the
outbox id as idempotency key, so a crash at any instant never submits twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import PlatformError
from kiosk.flows.materials import SOURCE_FOR_PLATFORM, Provided
from kiosk.items.jurisdiction import CITY_DISTRICT, Routing
from kiosk.receipts import AcceptanceReceipt, MaterialReceived, build_acceptance_receipt
from kiosk.terminal.facade import Terminal
from kiosk.terminal.outbox.store import Material as OutboxMaterial
from kiosk.terminal.platform.client import PlatformClient
from kiosk.terminal.receipt import ReceiptDocument

log = logging.getLogger(__name__)

PLATFORM_MODE = {"online": "online", "self_service": "self_service", "on_site": "instant", "proxy_remote": "remote_proxy", "multi_site": "multi_site"}
DELIVERY = {"pickup": "self_pickup", "post": "mail"}
FORM_LABEL = {"elicense": "电子证照", "scanner": "扫描件", "doccam": "高拍件", "photo": "照片", "generated": "终端生成"}


def application(
    item_code: str, person_token: str, mode: str, routing: Routing, form: Mapping[str, Any], delivery: Mapping[str, str] | None
) -> dict[str, Any]:
    """The platform ``ApplicationRequest`` body (without receipt and materials, which the outbox adds)."""
    body: dict[str, Any] = {
        "item_code": item_code,
        "person_token": person_token,
        "mode": PLATFORM_MODE[mode],
        "receiving_district": routing.receiving_district,
        "form": dict(form),
    }
    handling = routing.handling_district
    if handling and handling != CITY_DISTRICT and handling != routing.receiving_district:
        body["handling_district"] = handling
    if mode == "proxy_remote":
        body["handling_district"] = handling if handling and handling != CITY_DISTRICT else routing.receiving_district
    if mode == "multi_site":
        body["participating_districts"] = sorted({routing.receiving_district, body.get("handling_district", routing.receiving_district)})
    if delivery and delivery.get("method") in DELIVERY:
        body["delivery"] = {**delivery, "method": DELIVERY[delivery["method"]]}
    return body


def outbox_materials(provided: Mapping[str, tuple[str, Provided]], signature: Path | None) -> list[OutboxMaterial]:
    """Outbox materials from the session's captures; ``provided``: key → (material code, state)."""
    out: list[OutboxMaterial] = []
    for code, (name, p) in provided.items():
        if p.status == "elicense":
            out.append(OutboxMaterial(code, name, "license", license_id=p.license_id))
        elif p.status == "captured":
            for index, path in enumerate(p.files):
                suffix = f"-{index + 1}" if len(p.files) > 1 else ""
                out.append(
                    OutboxMaterial(f"{code}{suffix}"[:40], name, SOURCE_FOR_PLATFORM.get(p.source, "scan"), p.media_type, Path(path).read_bytes())
                )
    if signature is not None:
        out.append(OutboxMaterial("signature", "申请人签名", "signature", "image/png", signature.read_bytes()))
    return out


def received(provided: Mapping[str, tuple[str, Provided]]) -> tuple[MaterialReceived, ...]:
    return tuple(
        MaterialReceived(name, max(1, len(p.files)), FORM_LABEL.get(p.source, "扫描件"))
        for name, p in provided.values()
        if p.status in ("elicense", "captured")
    )


@dataclass(frozen=True)
class PrintOutcome:
    printed: bool
    error: str = ""
    png_path: str = ""


async def print_receipt(terminal: Terminal, document: ReceiptDocument, png_path: Path) -> PrintOutcome:
    """Print on the receipt printer and render the PNG the screen shows (also when printing fails)."""
    printer = terminal.printer
    if printer is None:
        return PrintOutcome(False, "本终端没有回执打印机")
    preview = getattr(printer, "preview_png", None)
    if preview is not None:
        try:
            png_path.write_bytes(await asyncio.to_thread(preview, document))
        except Exception as exc:  # noqa: BLE001 — a preview failure must not cost the citizen the printed receipt
            log.warning("receipt preview failed: %s", exc)
    result = await printer.print_document(document)
    path = str(png_path) if png_path.exists() else ""
    if result.ok:
        return PrintOutcome(True, "", path)
    return PrintOutcome(False, result.citizen_message or "回执打印失败", path)


def acceptance_receipt(
    reference: str,
    item_name: str,
    applicant: str,
    applicant_id: str,
    hall: str,
    terminal_id: str,
    delivery: str,
    materials: tuple[MaterialReceived, ...],
    time_limit: str,
    department: str,
    notes: tuple[str, ...],
) -> ReceiptDocument:
    return build_acceptance_receipt(
        AcceptanceReceipt(
            case_number=reference,
            item_name=item_name,
            applicant_name=applicant,
            accepted_at=dt.datetime.now(),
            terminal_id=terminal_id,
            hall=hall,
            progress_url=f"https://zwykb.cq.gov.cn/progress?r={reference}",
            delivery=delivery,
            materials=materials,
            applicant_id_number=applicant_id,
            time_limit=time_limit,
            department=department,
            extra_notes=notes,
        )
    )


async def wait_case_id(worker: Any, outbox: Any, entry_id: str, wait_s: float) -> str:
    """Kick the delivery worker and wait for the platform's case number ('' if not delivered in time).

    Never calls ``worker.deliver`` itself: two deliveries of one entry at once would race on the
    outbox row (the second finds the payload already wiped).
    """
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        row = outbox.get(entry_id) or {}
        if row.get("case_id") or row.get("state") == "rejected":
            return str(row.get("case_id") or "")
        if asyncio.get_running_loop().time() > deadline:
            return ""
        worker.kick()
        await asyncio.sleep(0.05)


async def result_document(client: PlatformClient, worker: Any, entry_id: str, outbox: Any, wait_s: float) -> dict[str, Any] | None:
    """就地批办: the case's result document once delivered; None if the platform is unreachable."""
    case_id = await wait_case_id(worker, outbox, entry_id, wait_s)
    if not case_id:
        return None
    try:
        case = await client.get_case(case_id)
    except PlatformError:
        return None
    return case.result_document.model_dump() if case.result_document else None


async def print_result(terminal: Terminal, doc: Mapping[str, Any], hall: str) -> tuple[bool, str]:
    printer = terminal.a4printer
    if printer is None:
        return False, "本终端没有A4打印机，请到窗口领取结果文书"
    from kiosk.documents.certificate import OfficialDocument, render_pdf  # fpdf + qrcode: ~23 MiB, only when printing

    official = OfficialDocument(
        title=str(doc["title"]),
        paragraphs=["经审查，准予办理。"],
        issuer=str(doc["issuer"]),
        issued_on=dt.date.today(),
        doc_number=f"验证码：{doc['verification_code']}",
        fields=list(doc.get("fields", {}).items()),
    )
    pdf = await asyncio.to_thread(render_pdf, official)
    result = await printer.print_pdf(pdf, str(doc["title"]))
    return (True, "") if result.ok else (False, result.citizen_message or "结果文书打印失败，请到窗口领取")
