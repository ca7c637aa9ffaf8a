"""What a CUPS queue says about paper, read by the real driver from a private cupsd: at boot, on probe, mid-job."""

from __future__ import annotations

import time

import pytest

from drivers.a4printer.ipp import IppClient
from drivers.a4printer.protocol import standing_condition
from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.error_codes import DocumentPrinterError
from kiosk.terminal.events import EventBus
from kiosk.terminal.registry import build_device
from kiosk.terminal.status import DeviceState
from sim.devices.a4printer.emulator import SimDocumentPrinter

from .conftest import a4_spec
from .test_cups_printing import certificate_pdf

pytestmark = pytest.mark.system  # starts its own cupsd


def _device(url: str) -> SimDocumentPrinter:
    device = build_device(a4_spec(url), EventBus())
    assert isinstance(device, SimDocumentPrinter)
    return device


async def test_paper_out_at_boot_is_the_status_after_open_and_a_job_fails_without_printing() -> None:
    device = _device("sim:a4printer?paper=out")
    try:
        opened = await device.open()
        assert opened.ok, opened.description  # the queue is there …
        status = device.status()
        assert status.state is DeviceState.USER_ERROR and not status.ready  # … and says media-empty
        assert "paper out" in status.description and status.detail["reason"] == "media-empty-error"
        done = await device.print_pdf(certificate_pdf(), "证明", timeout=15)
        assert done.code is CompletionCode.HARDWARE_ERROR and done.error_code is DocumentPrinterError.PAPER_OUT
        assert done.action is RecoveryAction.CLEAR and device.emulator.printed() == []
    finally:
        await device.close()


async def test_probe_follows_the_queue_back_to_online_after_paper_is_loaded() -> None:
    device = _device("sim:a4printer?paper=out")
    try:
        await device.open()
        assert device.probes and (await device.probe()).ok
        assert device.status().state is DeviceState.USER_ERROR
        device.emulator.load_paper()
        done = await device.print_pdf(certificate_pdf(), "证明")  # the reason was stale: the job prints and clears it
        assert done.ok, done.description
        assert (await device.probe()).ok and device.status().state is DeviceState.ONLINE
        assert device.status().detail["reason"] == ""
    finally:
        await device.close()


async def test_probe_sees_a_stopped_queue_and_a_missing_server(sim_printer) -> None:
    sim_printer.emulator.stop_queue("jammed")
    assert (await sim_printer.probe()).ok
    assert sim_printer.status().state is DeviceState.OFFLINE and "queue stopped" in sim_printer.status().description
    sim_printer.emulator.resume_queue()
    await sim_printer.probe()
    assert sim_printer.status().state is DeviceState.ONLINE
    sim_printer.emulator.stop()  # the CUPS server went away
    gone = await sim_printer.probe()
    assert gone.code is CompletionCode.DEVICE_NOT_READY and not sim_printer.status().ready


async def test_paper_running_out_mid_job_fails_the_job_and_cancels_it() -> None:
    device = _device("sim:a4printer?fault_grace_s=0.5")
    try:
        await device.open()
        device.emulator.run_out_mid_job()  # the printer reports media-empty and holds the job
        started = time.monotonic()
        done = await device.print_pdf(certificate_pdf(), "证明", timeout=15)
        assert time.monotonic() - started < 8
        assert done.code is CompletionCode.HARDWARE_ERROR and done.error_code is DocumentPrinterError.PAPER_OUT
        assert done.detail["reason"] == "media-empty-error" and "缺纸" in done.citizen_message
        assert device.status().state is DeviceState.USER_ERROR
        host, _, port = device.emulator.server.partition(":")
        assert IppClient(host, int(port)).job_attributes(int(done.detail["job_id"]))["job-state"] == [7]  # canceled …
        device.emulator.load_paper()
        again = await device.print_pdf(certificate_pdf(), "证明")
        assert again.ok and len(device.emulator.printed()) == 1  # … so only the new job comes out, not the held one
    finally:
        await device.close()


def test_standing_conditions_are_physical_errors_only() -> None:
    paper = standing_condition(["media-empty-error"], "Out of paper")
    assert paper is not None and paper.state is DeviceState.USER_ERROR and "Out of paper" in paper.description
    assert standing_condition(["media-low-warning", "none"], "") is None
    assert standing_condition(["media-empty-report"], "") is None
    assert standing_condition(["other-error"], "") is None
