"""A certificate through a real cupsd queue: the PDF that comes out has the text, ink and QR."""

from __future__ import annotations

import datetime as dt
import functools
import io
import subprocess
import time

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from drivers.a4printer.ipp import IppClient
from kiosk.documents.certificate import SEAL_PLACEHOLDER, OfficialDocument, render_pdf
from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.status import DeviceState

pytestmark = pytest.mark.system  # starts its own cupsd

VERIFY_URL = "https://zwykb.cq.gov.cn/verify/ZM2026000123"


def certificate() -> OfficialDocument:
    return OfficialDocument(
        title="无犯罪记录证明",
        doc_number="渝北政证〔2026〕0123号",
        addressee="有关单位：",
        paragraphs=["兹证明张三（公民身份号码500112199001011234）在本辖区居住期间，未发现有犯罪记录。", "特此证明。"],
        fields=[("姓名", "张三"), ("证明用途", "入职审查"), ("有效期", "三个月")],
        issuer="渝北区政务服务中心",
        issued_on=dt.date(2026, 11, 26),
        verify_url=VERIFY_URL,
    )


@functools.lru_cache(maxsize=1)
def certificate_pdf() -> bytes:
    return render_pdf(certificate())


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_page_png(pdf: bytes, dpi: int) -> Image.Image:
    done = subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-"], input=pdf, capture_output=True, check=True)
    return Image.open(io.BytesIO(done.stdout)).convert("L")


async def test_certificate_comes_out_of_a_real_cups_queue(sim_printer) -> None:
    pdf = certificate_pdf()
    done = await sim_printer.print_pdf(pdf, "无犯罪记录证明")
    assert done.ok, done.description
    assert done.data.state == "completed" and done.data.pages == 1
    printed = sim_printer.emulator.last_job()
    assert printed is not None and printed.startswith(b"%PDF-")
    text = "".join(pdf_text(printed).split())  # line wrapping must not matter
    for expected in ("无犯罪记录证明", "渝北政证〔2026〕0123号", "未发现有犯罪记录", "入职审查", "渝北区政务服务中心", "2026年11月26日",
                     SEAL_PLACEHOLDER):
        assert expected in text, expected
    page = np.asarray(pdf_page_png(printed, 50))
    assert page.shape[0] > page.shape[1]  # portrait A4
    ink = float((page < 128).mean())
    assert 0.005 < ink < 0.5, f"page looks blank or black: {ink:.4f} dark"
    decoded = [r.text for r in zxingcpp.read_barcodes(pdf_page_png(printed, 150))]
    assert VERIFY_URL in decoded


async def test_jam_is_an_error_completion_and_the_job_is_canceled(sim_printer) -> None:
    sim_printer.emulator.inject("jam")
    started = time.monotonic()
    done = await sim_printer.print_pdf(certificate_pdf(), "证明", timeout=15)
    assert time.monotonic() - started < 10
    assert done.code is CompletionCode.HARDWARE_ERROR
    assert done.action is RecoveryAction.CLEAR
    assert "paper jam" in done.description
    assert "卡纸" in done.citizen_message
    assert sim_printer.status().state is DeviceState.USER_ERROR
    host, _, port = sim_printer.emulator.server.partition(":")
    job = IppClient(host, int(port)).job_attributes(int(done.detail["job_id"]))
    assert job["job-state"] == [7]  # canceled: it must not print later
    assert sim_printer.emulator.printed() == []

    sim_printer.emulator.resume_queue()
    again = await sim_printer.print_pdf(certificate_pdf(), "证明")
    assert again.ok, again.description
    assert sim_printer.status().state is DeviceState.ONLINE
    assert len(sim_printer.emulator.printed()) == 1


async def test_stopped_queue_is_an_error_completion_not_a_hang(sim_printer) -> None:
    sim_printer.emulator.stop_queue("out of service")
    started = time.monotonic()
    done = await sim_printer.print_pdf(certificate_pdf(), "证明", timeout=15)
    assert time.monotonic() - started < 5
    assert done.code is CompletionCode.DEVICE_NOT_READY
    assert done.action is RecoveryAction.MAINTENANCE
    assert "queue stopped" in done.description
    assert sim_printer.emulator.printed() == []


async def test_rejecting_queue_is_an_error_completion(sim_printer) -> None:
    sim_printer.emulator.reject_jobs()
    done = await sim_printer.print_pdf(certificate_pdf(), "证明")
    assert done.code is CompletionCode.DEVICE_NOT_READY
    assert "rejects" in done.description


async def test_paper_out_while_printing(sim_printer) -> None:
    sim_printer.emulator.inject("paper_out")
    done = await sim_printer.print_pdf(certificate_pdf(), "证明")
    assert done.code is CompletionCode.HARDWARE_ERROR
    assert done.detail["reason"] == "media-empty-error"
    assert "缺纸" in done.citizen_message


async def test_bytes_that_are_not_a_pdf_are_refused(sim_printer) -> None:
    done = await sim_printer.print_pdf(b"hello", "x")
    assert done.code is CompletionCode.INVALID_DATA
    assert sim_printer.emulator.printed() == []
