"""The real network driver (python-escpos Network) against the TCP 9100 emulator, on the wire."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp

from drivers.printer.render import render
from drivers.printer.service import EscPosPrinter
from kiosk.receipts import build_acceptance_receipt
from kiosk.terminal import DeviceClass, DeviceSpec, DeviceUrl, EventBus, Threshold, build_device
from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.receipt import ReceiptDocument
from kiosk.terminal.status import DeviceState
from sim.devices.printer.emulator import PrinterEmulator
from tests.printer.conftest import CASE_URL


def _printer(url: str, bus: EventBus | None = None, **options: object) -> EscPosPrinter:
    spec = DeviceSpec("printer", DeviceClass.RECEIPT_PRINTER, DeviceUrl.parse(url), timeout_s=5.0, options=dict(options))
    service = build_device(spec, bus or EventBus())
    assert isinstance(service, EscPosPrinter)
    return service


async def test_prints_receipt_as_one_job_that_renders_back(emulator: PrinterEmulator, acceptance) -> None:  # type: ignore[no-untyped-def]
    p = _printer(f"tcp://127.0.0.1:{emulator.port}?paper=58")
    assert (await p.open()).ok
    done = await p.print_document(build_acceptance_receipt(acceptance))
    assert done.ok and done.detail["paper"] == "ok"
    [job] = emulator.wait_for_jobs(1)
    assert len(job) == done.detail["bytes"]
    result = render(job, width_dots=384)
    assert [r.text for r in zxingcpp.read_barcodes(result.image)] == [CASE_URL]
    assert p.status().state is DeviceState.ONLINE and p.status().detail["paper"] == "ok"
    await p.close()


async def test_paper_out_refuses_before_sending_and_the_document_can_be_resent(emulator: PrinterEmulator, acceptance) -> None:  # type: ignore[no-untyped-def]
    bus = EventBus()
    p = _printer(f"tcp://127.0.0.1:{emulator.port}", bus)
    await p.open()
    emulator.set_paper("out")
    doc = build_acceptance_receipt(acceptance)
    refused = await p.print_document(doc)
    assert refused.code is CompletionCode.USER_ERROR and refused.action is RecoveryAction.CLEAR
    assert "缺纸" in refused.citizen_message
    assert p.status().state is DeviceState.USER_ERROR and p.status().detail["paper"] == "out"
    assert emulator.jobs == [] and emulator.discarded == 0  # not a byte was sent
    assert any(isinstance(e, Threshold) and e.level == "out" for e in bus.recent())
    emulator.set_paper("ok")
    again = await p.print_document(doc)
    assert again.ok and len(emulator.wait_for_jobs(1)) == 1
    assert p.status().state is DeviceState.ONLINE
    await p.close()


async def test_near_end_prints_and_raises_a_threshold(emulator: PrinterEmulator) -> None:
    bus = EventBus()
    p = _printer(f"tcp://127.0.0.1:{emulator.port}", bus)
    await p.open()
    emulator.set_paper("near_end")
    status = await p.refresh_status()
    assert status.ok and status.data is not None and status.data.detail["paper"] == "near_end"
    assert p.status().detail["paper"] == "near_end" and p.status().state is DeviceState.ONLINE
    thresholds = [e for e in bus.recent() if isinstance(e, Threshold)]
    assert [(t.name, t.level) for t in thresholds] == [("paper", "near_end")]
    assert (await p.print_document(ReceiptDocument().text("近纸尽").cut())).ok
    await p.close()


async def test_a_peer_that_connects_but_never_answers_is_not_online(emulator: PrinterEmulator) -> None:
    emulator.set_silent(True)
    p = _printer(f"tcp://127.0.0.1:{emulator.port}", status_timeout_s=0.1)
    opened = await p.open()
    assert opened.code is CompletionCode.TIMEOUT and "no answer to DLE EOT" in opened.description
    assert p.status().state is DeviceState.OFFLINE and p.status().detail["paper"] == "unknown"
    refused = await p.print_document(ReceiptDocument().text("x").cut())
    assert refused.code is CompletionCode.DEVICE_NOT_READY and emulator.jobs == []
    probed = await p.probe()
    assert not probed.ok and p.status().state is DeviceState.OFFLINE
    assert (await p.refresh_status()).code is CompletionCode.TIMEOUT  # the poller's refresh says so too
    emulator.set_silent(False)  # it answers again: the next probe says so
    assert (await p.probe()).ok and p.status().state is DeviceState.ONLINE
    await p.close()


async def test_a_head_declared_without_return_channel_prints_blind_with_status_unknown(emulator: PrinterEmulator) -> None:
    emulator.set_silent(True)
    p = _printer(f"tcp://127.0.0.1:{emulator.port}", status_timeout_s=0.1, require_status="false")
    assert (await p.open()).ok
    assert p.status().state is DeviceState.ONLINE and "status unknown" in p.status().description
    printed = await p.print_document(ReceiptDocument().text("无状态").cut())
    assert printed.ok and printed.detail["paper"] == "unknown" and "no status" in printed.description
    assert len(emulator.wait_for_jobs(1)) == 1
    await p.close()


async def test_paper_out_at_boot_is_the_status_after_open(acceptance) -> None:  # type: ignore[no-untyped-def]
    emu = PrinterEmulator("127.0.0.1", 0)
    emu.set_paper("out")
    emu.start()
    try:
        p = _printer(f"tcp://127.0.0.1:{emu.port}")
        opened = await p.open()
        assert opened.ok, opened.description  # the printer is there …
        assert p.status().state is DeviceState.USER_ERROR and p.status().description == "paper out"  # … and out of paper
        assert not p.status().ready
        refused = await p.print_document(build_acceptance_receipt(acceptance))
        assert refused.code is CompletionCode.USER_ERROR and emu.discarded == 0
        emu.set_paper("ok")
        assert (await p.probe()).ok and p.status().state is DeviceState.ONLINE
        await p.close()
    finally:
        emu.stop()


async def test_paper_running_out_mid_job_is_no_media_with_the_part_printed(emulator: PrinterEmulator, acceptance) -> None:  # type: ignore[no-untyped-def]
    bus = EventBus()
    p = _printer(f"tcp://127.0.0.1:{emulator.port}?paper=58", bus)
    await p.open()
    emulator.paper_out_after(300)
    done = await p.print_document(build_acceptance_receipt(acceptance))
    assert done.code is CompletionCode.NO_MEDIA and done.action is RecoveryAction.CLEAR
    assert done.detail["partial"] is True and done.detail["paper"] == "out"
    assert 0 < int(done.detail["sent_bytes"]) <= int(done.detail["bytes"])  # type: ignore[call-overload]
    assert "ran out during the job" in done.description and "缺纸" in done.citizen_message
    [torn] = emulator.torn  # what came out: the head of the receipt, never cut
    assert 0 < len(torn) <= 300 and emulator.jobs == []
    assert p.status().state is DeviceState.USER_ERROR
    assert any(isinstance(e, Threshold) and e.level == "out" for e in bus.recent())
    await p.close()


async def test_a_long_job_stops_at_the_chunk_where_the_roll_ended(emulator: PrinterEmulator) -> None:
    from PIL import Image

    p = _printer(f"tcp://127.0.0.1:{emulator.port}")
    await p.open()
    emulator.paper_out_after(5000)
    picture = Image.effect_noise((576, 600), 64)  # ~43 kB of raster in three GS v 0 bands of ≤ 255 rows
    done = await p.print_document(ReceiptDocument().image(picture).cut())
    assert done.code is CompletionCode.NO_MEDIA
    sent, total = int(done.detail["sent_bytes"]), int(done.detail["bytes"])  # type: ignore[call-overload]
    assert sent < total // 2  # not the whole job into a head without paper: it stopped after the first band
    assert len(emulator.torn[0]) + emulator.discarded == sent  # and every byte it sent was a whole command
    await p.close()


async def test_a_printer_silent_after_the_job_is_not_success(emulator: PrinterEmulator) -> None:
    p = _printer(f"tcp://127.0.0.1:{emulator.port}", status_timeout_s=0.1)
    await p.open()
    emulator.silent_after_job()
    done = await p.print_document(ReceiptDocument().text("最后一张").cut())
    assert done.code is CompletionCode.TIMEOUT and not done.ok
    assert "went silent" in done.description and done.detail["paper"] == "unknown"
    assert len(emulator.wait_for_jobs(1)) == 1  # it did take the bytes; nobody can say it printed them
    assert p.status().state is DeviceState.OFFLINE and "after a job" in p.status().description
    await p.close()


@pytest.mark.parametrize("fault,code,action", [("cover", CompletionCode.USER_ERROR, RecoveryAction.CLEAR),
                                               ("cutter", CompletionCode.HARDWARE_ERROR, RecoveryAction.MAINTENANCE)])
async def test_cover_open_and_cutter_error(emulator: PrinterEmulator, fault: str, code: CompletionCode, action: RecoveryAction) -> None:
    p = _printer(f"tcp://127.0.0.1:{emulator.port}")
    await p.open()
    emulator.set_cover(True) if fault == "cover" else emulator.set_cutter_error(True)
    refused = await p.print_document(ReceiptDocument().text("x").cut())
    assert refused.code is code and refused.action is action and emulator.jobs == []
    await p.close()


async def test_reconnects_after_power_cycle(emulator: PrinterEmulator) -> None:
    p = _printer(f"tcp://127.0.0.1:{emulator.port}")
    await p.open()
    assert (await p.print_document(ReceiptDocument().text("第一张").cut())).ok
    emulator.wait_for_jobs(1)
    emulator.power_cycle(down_s=0.4, wait=False)  # the TCP sink closes and comes back on the same port
    second = await p.print_document(ReceiptDocument().text("第二张").cut(), timeout=5)
    assert second.ok, second.description
    jobs = emulator.wait_for_jobs(2)
    assert len(jobs) == 2 and "第二张".encode("gb18030") in jobs[1]
    assert p.status().state is DeviceState.ONLINE
    await p.close()


async def test_printer_that_stays_off_times_out_cleanly(emulator: PrinterEmulator) -> None:
    p = _printer(f"tcp://127.0.0.1:{emulator.port}")
    await p.open()
    emulator.stop()
    result = await p.print_document(ReceiptDocument().text("x").cut(), timeout=0.6)
    assert result.code in (CompletionCode.TIMEOUT, CompletionCode.HARDWARE_ERROR)
    await p.close()


async def test_text_beyond_the_code_page_reaches_the_printer_as_a_raster_line(emulator: PrinterEmulator) -> None:
    from drivers.printer.tokens import tokenize

    p = _printer(f"tcp://127.0.0.1:{emulator.port}", encoding="gbk")
    await p.open()
    result = await p.print_document(ReceiptDocument().text("申请人：王𠮷").text("受理编号：CQ0001").cut())
    assert result.ok, result.description
    [job] = emulator.wait_for_jobs(1)
    tokens, _ = tokenize(job)
    texts = [job[t.start:t.end].decode("gbk") for t in tokens if t.kind == "text"]
    rasters = [t for t in tokens if t.kind == "GS v"]
    assert texts == ["受理编号：CQ0001"] and len(rasters) == 1  # the rare line as a picture, the rest as text
    width_bytes, height = rasters[0].args[1], rasters[0].args[3]
    assert (width_bytes * 8, height) == (6 * 24, 30)
    assert p.capabilities()["raster_fallback"] is True
    await p.close()


async def test_file_backend_writes_the_bytes(tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    p = _printer(f"file://{out}")
    await p.open()
    result = await p.print_document(ReceiptDocument().text("文件￥").cut())
    assert result.ok and result.detail["paper"] == "unknown"  # a file cannot answer DLE EOT
    await p.close()
    assert "文件￥".encode("gb18030") in out.read_bytes()


async def test_sim_url_runs_the_emulator_and_stops_it_on_close() -> None:
    p = _printer("sim:printer?paper=58")
    assert p.emulator is not None and not p.emulator.running
    assert (await p.open()).ok and p.emulator.running
    p.emulator.set_paper("out")
    assert (await p.refresh_status()).detail["paper"] == "out"
    p.emulator.set_paper("ok")
    assert (await p.print_document(ReceiptDocument().text("模拟").cut())).ok
    assert len(p.emulator.wait_for_jobs(1)) == 1
    await p.close()
    assert not p.emulator.running


async def test_unreachable_printer_fails_open_with_hardware_error() -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = _printer(f"tcp://127.0.0.1:{port}")
    opened = await p.open(timeout=1)
    assert opened.code is CompletionCode.HARDWARE_ERROR and str(port) in opened.description
    assert p.status().state is DeviceState.OFFLINE and "not reachable" in p.status().description  # the supervisor re-opens it
    await p.close()


async def test_sim_printer_reopens_after_close_and_previews() -> None:
    p = _printer("sim:printer?paper=58")
    assert (await p.open()).ok
    await p.close()
    p2 = _printer("sim:printer")
    assert (await p2.open()).ok and (await p2.refresh_status()).detail["paper"] == "ok"
    png = p2.preview_png(ReceiptDocument().text("预览").qr(CASE_URL).cut())
    from io import BytesIO

    from PIL import Image

    assert [r.text for r in zxingcpp.read_barcodes(Image.open(BytesIO(png)))] == [CASE_URL]
    await p2.close()


async def test_logo_option_prints_the_picture_on_top(emulator: PrinterEmulator, tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    logo = tmp_path / "logo.png"
    img = Image.new("L", (200, 60), 255)
    ImageDraw.Draw(img).rectangle((10, 10, 190, 50), fill=0)
    img.save(logo)
    p = _printer(f"tcp://127.0.0.1:{emulator.port}?paper=58", logo=str(logo))
    await p.open()
    assert (await p.print_document(ReceiptDocument().text("带标志").cut())).ok
    result = render(emulator.wait_for_jobs(1)[0], width_dots=384, cut_marks=False, margin=0)
    page = result.pages[0]
    assert page.getpixel((192, 30)) == 0 and page.getpixel((192, 5)) == 255  # the black bar, centred, at the top
    assert result.lines[0] == "带标志"
    await p.close()


def test_bad_logo_or_option_is_a_config_error(tmp_path: Path) -> None:
    from kiosk.errors import ConfigError

    with pytest.raises(ConfigError, match="logo"):
        _printer("tcp://127.0.0.1:9100", logo=str(tmp_path / "missing.png"))
    with pytest.raises(ConfigError, match="paper"):
        _printer("tcp://127.0.0.1:9100?paper=76")


async def test_sim_job_dir_keeps_bytes_and_preview(tmp_path: Path) -> None:
    p = _printer(f"sim:printer?paper=58&job_dir={tmp_path}")
    await p.open()
    assert (await p.print_document(ReceiptDocument().text("存档").qr(CASE_URL).cut())).ok
    p.emulator.wait_for_jobs(1)
    await p.close()
    assert (tmp_path / "job-0001.bin").read_bytes().startswith(b"\x1b@\x1c&")
    from PIL import Image

    img = Image.open(tmp_path / "job-0001.png")
    assert img.width == 384 + 32 and [r.text for r in zxingcpp.read_barcodes(img)] == [CASE_URL]


async def test_serial_backend_on_a_pty_reads_status_and_prints(emulator: PrinterEmulator) -> None:
    path = emulator.serve_pty()
    p = _printer(f"serial://{path}?baud=115200&dsrdtr=false")
    assert (await p.open()).ok, p.status()
    emulator.set_paper("near_end")
    assert (await p.refresh_status()).detail["paper"] == "near_end"
    assert (await p.print_document(ReceiptDocument().text("串口打印￥1").cut())).ok
    [job] = emulator.wait_for_jobs(1)
    assert "串口打印￥1".encode("gb18030") in job
    await p.close()


async def test_usb_without_pyusb_is_unavailable_not_a_crash() -> None:
    pytest.importorskip("escpos.printer")
    from escpos.printer import Usb

    if Usb.is_usable():
        pytest.skip("pyusb is installed here; no USB printer to talk to")
    p = _printer("usb:?vid=0x0416&pid=0x5011")
    opened = await p.open()
    assert opened.code is CompletionCode.DEVICE_NOT_READY and "pyusb" in opened.description
    await p.close()


async def test_polling_sees_paper_run_low_without_a_print(emulator: PrinterEmulator) -> None:
    import asyncio

    bus = EventBus()
    p = _printer(f"tcp://127.0.0.1:{emulator.port}", bus)
    await p.open()
    await p.start_polling(interval_s=0.05)
    emulator.set_paper("near_end")
    for _ in range(100):
        if p.status().detail.get("paper") == "near_end":
            break
        await asyncio.sleep(0.02)
    assert p.status().detail["paper"] == "near_end"
    assert any(isinstance(e, Threshold) and e.level == "near_end" for e in bus.recent())
    await p.close()
    assert p._poller is None


async def test_power_loss_mid_job_is_not_reported_as_printed(emulator: PrinterEmulator) -> None:
    p = _printer(f"tcp://127.0.0.1:{emulator.port}")
    await p.open()
    emulator.interrupt_next_job()
    doc = ReceiptDocument().text("断电").cut()
    lost = await p.print_document(doc)
    assert lost.code is CompletionCode.HARDWARE_ERROR and lost.action is RecoveryAction.RETRY
    assert emulator.jobs == []
    again = await p.print_document(doc)  # the same document, sent again after the reconnect
    assert again.ok and len(emulator.wait_for_jobs(1)) == 1
    await p.close()


@pytest.fixture(params=["tcp", "serial"])
def wire_url(request: pytest.FixtureRequest, emulator: PrinterEmulator) -> str:
    """The same printer over TCP 9100 and over a serial pty (a head on /dev/ttyS*)."""
    if request.param == "tcp":
        return f"tcp://127.0.0.1:{emulator.port}"
    return f"serial://{emulator.serve_pty()}?baud=115200&dsrdtr=false"


async def test_each_fault_on_each_wire(emulator: PrinterEmulator, wire_url: str) -> None:
    """Mid-job paper out, silence after the job and a mute peer, over TCP and over a serial line."""
    p = _printer(wire_url, status_timeout_s=0.15)
    assert (await p.open()).ok
    emulator.paper_out_after(40)
    torn = await p.print_document(ReceiptDocument().text("缺纸" * 30).cut())
    assert torn.code is CompletionCode.NO_MEDIA and torn.detail["partial"] is True
    emulator.set_paper("ok")
    emulator.silent_after_job()
    silent = await p.print_document(ReceiptDocument().text("静默").cut())
    assert silent.code is CompletionCode.TIMEOUT and p.status().state is DeviceState.OFFLINE
    assert not (await p.probe()).ok and p.status().state is DeviceState.OFFLINE  # still mute: not online
    emulator.set_silent(False)
    assert (await p.probe()).ok and p.status().state is DeviceState.ONLINE
    await p.close()


async def test_probe_follows_a_power_cycle_offline_and_back(emulator: PrinterEmulator) -> None:
    p = _printer(f"tcp://127.0.0.1:{emulator.port}")
    assert (await p.open()).ok
    emulator.stop()
    assert not (await p.probe()).ok
    assert p.status().state is DeviceState.OFFLINE and "not reachable" in p.status().description
    emulator.start()  # same port
    assert (await p.probe()).ok and p.status().state is DeviceState.ONLINE
    assert (await p.print_document(ReceiptDocument().text("回来了").cut())).ok
    await p.close()
