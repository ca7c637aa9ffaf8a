"""The XFS4IoT service driven by a real WebSocket client against the real drivers on the sim emulators.

Every frame received is checked against the published shapes (conftest.Client.recv → shapes.check).
"""

from __future__ import annotations

import asyncio
import base64
import json

from websockets.asyncio.client import connect

from tests.xfs.conftest import TOKEN, Client

INTERFACES = {"idcard": ("CardReader", "cardReader"), "printer": ("Printer", "printer"), "barcode": ("BarcodeReader", "barcodeReader")}


def _types(frames: list[dict]) -> list[str]:
    return [f["header"]["type"] for f in frames]


async def test_publisher_lists_the_device_services_and_each_answers(open_client) -> None:
    publisher: Client = await open_client()
    frames = await publisher.call("ServicePublisher.GetServices", 1)
    assert _types(frames) == ["acknowledge", "event", "completion"]
    assert frames[1]["header"]["name"] == "ServicePublisher.ServiceDetailEvent"
    done = frames[-1]
    assert done["header"]["completionCode"] == "success"
    uris = [s["serviceURI"] for s in done["payload"]["services"]]
    assert sorted(u.rsplit("/", 1)[1] for u in uris) == ["barcode", "idcard", "printer"]
    for uri in uris:  # a generic client follows the URIs it was given
        async with connect(uri, additional_headers={"Authorization": f"Bearer {TOKEN}"}, open_timeout=5) as ws:
            status = await Client(ws).call("Common.Status", 7)
            assert status[-1]["header"]["completionCode"] == "success"


async def test_status_and_capabilities_of_each_interface(open_client) -> None:
    for service, (iface, key) in INTERFACES.items():
        client: Client = await open_client(service)
        status = await client.call("Common.Status", 1)
        assert _types(status) == ["acknowledge", "completion"]
        assert status[0]["header"].get("status") is None  # accepted
        assert status[1]["payload"]["common"]["device"] == "online"
        assert key in status[1]["payload"]
        caps = (await client.call("Common.Capabilities", 2))[-1]
        names = [i["name"] for i in caps["payload"]["interfaces"]]
        assert names == ["Common", iface], service
        assert key in caps["payload"]


async def test_read_raw_data_waits_for_the_card_then_completes_masked(open_client, terminal) -> None:
    client: Client = await open_client("idcard")
    await client.command("CardReader.ReadRawData", 5, {"chip": True}, timeout_ms=10_000)
    ack = await client.recv()
    assert ack["header"]["type"] == "acknowledge" and ack["header"]["requestId"] == 5
    insert = await client.recv()
    assert insert["header"]["name"] == "CardReader.InsertCardEvent" and insert["header"]["type"] == "event"
    emulator = terminal.idcard.emulator
    emulator.insert("zhangsan")
    rest = await client.replies(5)
    assert [f["header"]["name"] for f in rest] == ["CardReader.MediaInsertedEvent", "CardReader.ReadRawData"]
    done = rest[-1]
    assert done["header"]["completionCode"] == "success"
    card = json.loads(base64.b64decode(done["payload"]["chip"][0]["data"]))
    full_number = emulator.cards["zhangsan"]["id_number"]
    assert card["id_number"] != full_number and card["id_number"][-4:] == full_number[-4:] and "*" in card["id_number"]


async def test_read_without_a_card_times_out(open_client) -> None:
    client: Client = await open_client("idcard")
    frames = await client.call("CardReader.ReadRawData", 3, {"chip": True}, timeout_ms=1500)
    assert [f["header"]["name"] for f in frames[1:]] == ["CardReader.InsertCardEvent", "CardReader.ReadRawData"]
    assert frames[-1]["header"]["completionCode"] == "timeOut"


async def test_cancel_a_waiting_read_by_request_id_and_all(open_client) -> None:
    client: Client = await open_client("idcard")
    await client.command("CardReader.ReadRawData", 10, {"chip": True}, timeout_ms=0)  # until cancelled
    assert [f["header"]["type"] for f in [await client.recv(), await client.recv()]] == ["acknowledge", "event"]
    await client.command("Common.Cancel", 11, {"requestIds": [10]})
    frames = [await client.recv() for _ in range(3)]
    assert [(f["header"]["requestId"], f["header"]["type"]) for f in frames] == [(11, "acknowledge"), (10, "completion"), (11, "completion")]
    assert frames[1]["header"]["completionCode"] == "canceled"
    assert frames[2]["header"]["completionCode"] == "success"

    nothing = await client.call("Common.Cancel", 12, {"requestIds": [10]})  # already finished
    assert nothing[-1]["header"]["completionCode"] == "commandErrorCode"
    assert nothing[-1]["payload"]["errorCode"] == "noMatchingRequestIDs"

    await client.command("CardReader.ReadRawData", 13, {"chip": True}, timeout_ms=0)
    assert [(await client.recv())["header"]["type"] for _ in range(2)] == ["acknowledge", "event"]
    await client.command("Common.Cancel", 14)  # no ids: everything of this connection
    frames = [await client.recv() for _ in range(3)]
    assert [(f["header"]["requestId"], f["header"]["type"]) for f in frames] == [(14, "acknowledge"), (13, "completion"), (14, "completion")]
    assert frames[1]["header"]["completionCode"] == "canceled"
    # the device is free again: a status answers at once, online
    assert (await client.call("Common.Status", 15))[-1]["payload"]["common"]["device"] == "online"


async def test_status_answers_while_a_read_waits(open_client) -> None:
    client: Client = await open_client("idcard")
    await client.command("CardReader.ReadRawData", 20, {"chip": True}, timeout_ms=0)
    assert [(await client.recv())["header"]["type"] for _ in range(2)] == ["acknowledge", "event"]
    status = await client.call("Common.Status", 21)
    assert status[-1]["header"]["completionCode"] == "success"
    await client.command("Common.Cancel", 22)
    frames = [await client.recv() for _ in range(3)]
    assert [(f["header"]["requestId"], f["header"]["type"]) for f in frames] == [(22, "acknowledge"), (20, "completion"), (22, "completion")]


async def test_receipt_printer_prints_raw_text(open_client, terminal) -> None:
    client: Client = await open_client("printer")
    emulator = terminal.printer.emulator
    emulator.clear_jobs()
    data = base64.b64encode("XFS4IoT 测试行\nline two".encode()).decode()
    frames = await client.call("Printer.PrintRaw", 1, {"inputData": "no", "data": data}, timeout_ms=10_000)
    assert frames[-1]["header"]["completionCode"] == "success", frames[-1]
    job = (await asyncio.to_thread(emulator.wait_for_jobs, 1, 5.0))[0]
    assert b"XFS4IoT" in job and b"line two" in job
    bad = await client.call("Printer.PrintRaw", 2, {"data": "not base64!"})
    assert bad[-1]["header"]["completionCode"] == "invalidData"


async def test_barcode_read_returns_the_scanned_code(open_client, terminal) -> None:
    client: Client = await open_client("barcode")
    await client.command("BarcodeReader.Read", 1, {}, timeout_ms=5000)
    assert (await client.recv())["header"]["type"] == "acknowledge"
    await asyncio.sleep(0.2)  # the read is on the serial line (no event tells when; a late scan is read too)
    terminal.barcode.emulator.scan("CQYKM-0001")
    done = (await client.replies(1))[-1]
    assert done["header"]["completionCode"] == "success", done
    output = done["payload"]["readOutput"][0]
    assert base64.b64decode(output["barcodeData"]) == b"CQYKM-0001"


async def test_bad_frames_are_refused_by_their_acknowledge(open_client) -> None:
    client: Client = await open_client("idcard")
    await client.ws.send("{not json")
    assert (await client.recv())["header"]["status"] == "invalidMessage"
    await client.ws.send(json.dumps({"header": {"name": "Common.Status", "requestId": 0, "type": "command", "version": "2.0"}}))
    assert (await client.recv())["header"]["status"] == "invalidRequestID"
    await client.command("CardReader.ReadRawData", 30, {}, timeout_ms=0)
    assert [(await client.recv())["header"]["type"] for _ in range(2)] == ["acknowledge", "event"]
    await client.command("Common.Status", 30)  # the same id while 30 still runs
    refused = await client.recv()
    assert refused["header"]["status"] == "invalidRequestID" and refused["header"]["requestId"] == 30
    other = await client.call("Printer.PrintRaw", 31, {"data": ""})  # not a CardReader command
    assert other[-1]["header"]["completionCode"] == "unsupportedCommand"
    await client.command("Common.Cancel", 32)
    assert [(await client.recv())["header"]["requestId"] for _ in range(3)] == [32, 30, 32]
