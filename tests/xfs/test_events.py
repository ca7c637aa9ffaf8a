"""Device events as XFS4IoT events: a command's own (under its request id) and unsolicited ones."""

from __future__ import annotations

import asyncio
import base64

from tests.xfs.conftest import Client


async def _unsolicited(client: Client, name: str, timeout_s: float = 8.0) -> dict:
    """The next unsolicited event called ``name`` (others are kept in client.unsolicited)."""
    for seen in client.unsolicited:
        if seen["header"]["name"] == name:
            client.unsolicited.remove(seen)
            return seen
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    while True:
        message = await client.recv_any(max(0.05, end - loop.time()))
        if message["header"]["type"] == "unsolicited" and message["header"]["name"] == name:
            return message
        client.unsolicited.append(message)


async def test_print_raw_reports_the_receipt_presented_and_taken_as_its_events(open_client) -> None:
    client: Client = await open_client("printer")
    data = base64.b64encode(b"presenter test").decode()
    frames = await client.call("Printer.PrintRaw", 1, {"data": data}, timeout_ms=10_000)
    assert [(f["header"]["type"], f["header"]["name"]) for f in frames] == [
        ("acknowledge", "Printer.PrintRaw"),
        ("event", "Printer.MediaPresentedEvent"),
        ("event", "Printer.MediaTakenEvent"),
        ("completion", "Printer.PrintRaw"),
    ]
    assert frames[-1]["header"]["completionCode"] == "success"
    caps = (await client.call("Common.Capabilities", 2))[-1]["payload"]["printer"]
    assert caps["mediaPresented"] is True and caps["mediaTaken"] is True


async def test_paper_out_completes_with_the_printer_error_code_and_a_status_event(open_client, terminal) -> None:
    client: Client = await open_client("printer")
    terminal.printer.emulator.set_paper("out")
    data = base64.b64encode(b"no paper").decode()
    done = (await client.call("Printer.PrintRaw", 1, {"data": data}, timeout_ms=10_000))[-1]
    assert done["header"]["completionCode"] == "commandErrorCode", done
    assert done["payload"]["errorCode"] == "paperOut"
    event = await _unsolicited(client, "Common.StatusChangedEvent")
    while event["payload"]["common"]["device"] != "userError":
        event = await _unsolicited(client, "Common.StatusChangedEvent")
    assert event["payload"]["printer"]["paper"]["upper"] == "out"
    status = (await client.call("Common.Status", 2))[-1]["payload"]
    assert status["common"]["device"] == "userError" and status["printer"]["paper"]["upper"] == "out"


async def test_card_events_from_the_poller(open_client, terminal) -> None:
    """With the reader's poller running: a read waits for the poller's MediaInserted; lifting the card is unsolicited."""
    reader = terminal.idcard
    await reader.start_monitoring()
    try:
        client: Client = await open_client("idcard")
        await client.command("CardReader.ReadRawData", 1, {"chip": True}, timeout_ms=10_000)
        assert [(await client.recv())["header"]["type"] for _ in range(2)] == ["acknowledge", "event"]
        reader.emulator.insert("zhangsan")
        rest = await client.replies(1)
        assert [f["header"]["name"] for f in rest] == ["CardReader.MediaInsertedEvent", "CardReader.ReadRawData"]
        assert rest[-1]["header"]["completionCode"] == "success"
        reader.emulator.remove()
        removed = await _unsolicited(client, "CardReader.MediaRemovedEvent")
        assert "requestId" not in removed["header"]
    finally:
        await reader.stop_monitoring()
