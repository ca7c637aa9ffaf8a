"""The receipt printer's presenter (a kiosk head's paper exit): presented and taken reported as events of the print
that caused them, a receipt left in the presenter seen taken later, and a head without one printing as before."""

from __future__ import annotations

from kiosk.terminal import EventBus
from kiosk.terminal.receipt import ReceiptDocument
from kiosk.terminal.status import DeviceState
from sim.devices.printer.emulator import PrinterEmulator
from tests.printer.test_service import _printer


async def test_a_presenter_head_reports_the_receipt_presented_then_taken(emulator: PrinterEmulator) -> None:
    from kiosk.terminal.events import MediaPresented, MediaTaken

    bus = EventBus()
    emulator.set_presenter(True, take_after_s=0.3)  # the citizen pulls it 0.3 s after it comes out
    p = _printer(f"tcp://127.0.0.1:{emulator.port}", bus, presenter="true", take_timeout_s=4)
    assert p.capabilities()["presenter"] is True and p.capabilities()["reports_taken"] is True
    await p.open()
    done = await p.print_document(ReceiptDocument().text("请取走凭条").cut(), timeout=8)
    assert done.ok and done.detail["presented"] is True and done.detail["taken"] is True, done
    events = [e for e in bus.recent() if isinstance(e, (MediaPresented, MediaTaken))]
    assert [type(e) for e in events] == [MediaPresented, MediaTaken]
    assert all(e.request_id == done.request_id for e in events)  # both caused by this print command
    assert not emulator.ticket_out
    await p.close()


async def test_a_receipt_left_in_the_presenter_is_printed_not_taken_and_its_taking_is_seen_later(emulator: PrinterEmulator) -> None:
    from kiosk.terminal.events import MediaTaken

    bus = EventBus()
    emulator.set_presenter(True)  # nobody takes it
    p = _printer(f"tcp://127.0.0.1:{emulator.port}", bus, presenter="true", take_timeout_s=0.3)
    await p.open()
    done = await p.print_document(ReceiptDocument().text("无人取走").cut())
    assert done.ok and done.detail["presented"] is True and done.detail["taken"] is False
    assert "not taken" in done.description and p.status().detail["presented"] is True
    assert not any(isinstance(e, MediaTaken) for e in bus.recent())
    emulator.take()
    assert (await p.probe()).ok  # the supervisor's probe (or the poller) sees it go
    [taken] = [e for e in bus.recent() if isinstance(e, MediaTaken)]
    assert taken.request_id != done.request_id and p.status().detail["presented"] is False
    await p.close()


async def test_a_head_without_presenter_says_so_and_prints_as_before(emulator: PrinterEmulator) -> None:
    p = _printer(f"tcp://127.0.0.1:{emulator.port}")
    assert p.capabilities()["presenter"] is False and p.capabilities()["reports_taken"] is False
    await p.open()
    done = await p.print_document(ReceiptDocument().text("普通").cut())
    assert done.ok and "taken" not in done.detail and "presented" not in p.status().detail
    await p.close()


async def test_sim_printer_with_a_presenter_and_paper_out_at_boot() -> None:
    p = _printer("sim:printer?presenter=true&take_after_s=0.2&take_timeout_s=3")
    assert (await p.open()).ok
    done = await p.print_document(ReceiptDocument().text("模拟出纸口").cut(), timeout=8)
    assert done.detail["taken"] is True, done
    await p.close()
    out = _printer("sim:printer?status=out")
    assert (await out.open()).ok and out.status().state is DeviceState.USER_ERROR
    await out.close()
