"""The class commands of our XFS4IoT subset, each run against one device of the Terminal.

A handler gets the device and the request and returns the completion frame; it sends the request's
events (``CardReader.InsertCardEvent`` …) through ``request.event`` before returning, so a client sees
acknowledge → events → completion in that order. A cancelled handler (Common.Cancel, the connection
closing) is cancelled as an asyncio task: the device's CommandRunner cancels that command's token.
Device commands run under ``request.rid`` (kiosk/terminal/requests.py); the events the device publishes
under that id (a receipt presented, taken) go out as this request's events, before its completion.
Card data goes out masked (kiosk/privacy.py): a diagnostics tool proves the read, it never gets an ID number.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kiosk.privacy import mask_id_number, mask_name
from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.events import Event, EventBus, EventStream, MediaInserted, MediaPresented, MediaTaken
from kiosk.terminal.receipt import ReceiptDocument
from kiosk.terminal.requests import request_scope
from kiosk.terminal.status import DeviceClass
from kiosk.xfs import interfaces as X
from kiosk.xfs.messages import MessageType, completion, frame

#: An XFS ``timeout`` of 0 means "until cancelled"; our runner needs a bound.
UNTIL_CANCELLED_S = 3600.0
#: While waiting for a card, a re-read this often in case no poller publishes MediaInserted.
CARD_RECHECK_S = 1.0


@dataclass
class Request:
    name: str
    request_id: int
    payload: dict[str, Any]
    timeout_s: float
    event: Callable[[dict[str, Any]], Awaitable[None]]  # sends one event frame of this request
    bus: EventBus
    rid: int  # the id our device commands run under (client ids are per connection; this one is unique)

    def deadline(self) -> float:
        return time.monotonic() + self.timeout_s

    async def send_event(self, name: str, payload: dict[str, Any] | None = None) -> None:
        await self.event(frame(name, MessageType.EVENT, self.request_id, payload))

    async def device_call(self, call: Callable[[], Awaitable[Completion[Any]]], relay: Relay) -> Completion[Any]:
        """Run one device command under ``rid``; then send the events it caused (``relay`` names them)."""
        caused = _Caused(self.bus, self.rid)
        try:
            with request_scope(self.rid):
                result = await call()
        finally:
            caused.close()
        for event in caused.events:
            named = relay(event)
            if named is not None:
                await self.send_event(*named)
        return result


Relay = Callable[[Event], "tuple[str, dict[str, Any]] | None"]


class _Caused:
    """The media events published under one request id, collected in publish order.

    They hop into the caller's loop with call_soon_threadsafe, as the runner's completion does, after them:
    so when the command's await returns, every event it caused is already here.
    """

    def __init__(self, bus: EventBus, rid: int) -> None:
        self.events: list[Event] = []
        self._loop = asyncio.get_running_loop()
        self._rid = rid
        self._unsubscribe = bus.subscribe(self._deliver, (MediaPresented, MediaTaken))

    def _deliver(self, event: Event) -> None:
        if event.request_id == self._rid:
            self._loop.call_soon_threadsafe(self.events.append, event)

    def close(self) -> None:
        self._unsubscribe()


Handler = Callable[[Any, DeviceClass, Request], Awaitable[dict[str, Any]]]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _masked_card(card: Any) -> dict[str, Any]:
    """What a diagnostics tool sees of a card: enough to prove the read, nothing that identifies."""
    fields: dict[str, Any] = {"cardType": getattr(card, "card_type", type(card).__name__)}
    for attr, mask in (("name", mask_name), ("id_number", mask_id_number), ("social_security_number", mask_id_number)):
        value = getattr(card, attr, "")
        if isinstance(value, str) and value:
            fields[attr] = mask(value)
    for attr in ("valid_to", "issuer"):
        value = getattr(card, attr, "")
        if isinstance(value, str) and value:
            fields[attr] = value
    return fields


async def _read_card(device: Any, cls: DeviceClass, request: Request) -> dict[str, Any]:
    """CardReader.ReadRawData: read at once, or announce InsertCardEvent and wait for the card."""
    deadline = request.deadline()
    stream = request.bus.stream(types=(MediaInserted,))  # before the first read: no insertion is missed
    asked = inserted = False
    try:
        while True:
            with request_scope(request.rid):
                result: Completion[Any] = await device.read_card(timeout=max(0.1, min(deadline - time.monotonic(), 30.0)))
            if result.code is not CompletionCode.NO_MEDIA or time.monotonic() >= deadline:
                break
            if not asked:
                await request.send_event("CardReader.InsertCardEvent")
                asked = True
            inserted = await _card_arrives(stream, device.name, request.rid, min(CARD_RECHECK_S, max(0.0, deadline - time.monotonic())))
            if inserted:
                await request.send_event("CardReader.MediaInsertedEvent")
    finally:
        stream.close()
    if result.code is CompletionCode.NO_MEDIA and time.monotonic() >= deadline and asked:
        result = Completion.failure(CompletionCode.TIMEOUT, "no card was presented before the timeout")
    if result.ok and asked and not inserted:
        await request.send_event("CardReader.MediaInsertedEvent")  # inserted between two re-reads
    payload: dict[str, Any] = {}
    if result.ok and result.data is not None:
        encoded = json.dumps(_masked_card(result.data), ensure_ascii=False).encode()
        payload["chip"] = [{"status": "ok", "data": _b64(encoded)}]
    return completion(request.name, request.request_id, result, payload, X.ERROR_CODES[request.name])


async def _card_arrives(stream: EventStream, device: str, rid: int, within_s: float) -> bool:
    """A card placed on ``device``: the poller's MediaInserted (unsolicited), or one our own read published."""
    end = time.monotonic() + within_s
    while (left := end - time.monotonic()) > 0:
        try:
            event = await stream.next(left)
        except TimeoutError:
            return False
        if event.device == device and event.request_id in (None, rid):
            return True
    return False


def _no_events(event: Event) -> None:
    return None


async def _reset(device: Any, cls: DeviceClass, request: Request) -> dict[str, Any]:
    result = await request.device_call(lambda: device.reset(timeout=request.timeout_s), _no_events)
    return completion(request.name, request.request_id, result)


async def _print_raw(device: Any, cls: DeviceClass, request: Request) -> dict[str, Any]:
    """Printer.PrintRaw: UTF-8 text lines on the receipt printer, a PDF on the A4 printer."""
    try:
        data = base64.b64decode(str(request.payload.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        return completion(request.name, request.request_id, code="invalidData", description="data: not base64")
    if cls is DeviceClass.DOCUMENT_PRINTER:
        if not data.startswith(b"%PDF"):
            return completion(request.name, request.request_id, code="invalidData", description="the A4 printer prints PDF data only")
        pdf = lambda: device.print_pdf(data, "XFS4IoT PrintRaw", timeout=request.timeout_s)  # noqa: E731 - one call, named
        result: Completion[Any] = await request.device_call(pdf, _printer_event)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return completion(request.name, request.request_id, code="invalidData", description="the receipt printer takes UTF-8 text")
        document = ReceiptDocument()
        for line in text.splitlines() or [""]:
            document.text(line)
        result = await request.device_call(lambda: device.print_document(document.cut(), timeout=request.timeout_s), _printer_event)
    return completion(request.name, request.request_id, result, {}, X.ERROR_CODES[request.name])


def _printer_event(event: Event) -> tuple[str, dict[str, Any]] | None:
    if isinstance(event, MediaPresented):
        return "Printer.MediaPresentedEvent", {"wadIndex": 1, "totalWads": 1}
    if isinstance(event, MediaTaken):
        return "Printer.MediaTakenEvent", {}
    return None


async def _take_picture(device: Any, cls: DeviceClass, request: Request) -> dict[str, Any]:
    """Camera.TakePicture: a face that passes the quality checks, or a page from the 高拍仪."""
    if cls is DeviceClass.DOCUMENT_CAMERA:
        result: Completion[Any] = await request.device_call(lambda: device.capture_page(timeout=request.timeout_s), _no_events)
        picture = result.data.data if result.ok and result.data is not None else b""
    else:
        result = await request.device_call(lambda: device.capture_face(timeout=request.timeout_s), _no_events)
        picture = result.data.jpeg if result.ok and result.data is not None else b""
    payload = {"pictureFile": _b64(picture)} if picture else {}
    return completion(request.name, request.request_id, result, payload, X.ERROR_CODES[request.name])


_SYMBOLOGY = {"QRCode": "qrCode", "qrcode": "qrCode", "QR": "qrCode", "DataMatrix": "dataMatrix", "PDF417": "pdf417", "Code128": "code128"}


async def _read_code(device: Any, cls: DeviceClass, request: Request) -> dict[str, Any]:
    result: Completion[Any] = await request.device_call(lambda: device.read_code(timeout=request.timeout_s), _no_events)
    payload: dict[str, Any] = {}
    if result.ok and result.data is not None:
        code = result.data
        symbology = _SYMBOLOGY.get(code.symbology, "symbologyUnknown")
        payload["readOutput"] = [{"symbology": symbology, "barcodeData": _b64(code.text.encode()), "symbologyName": code.symbology}]
    return completion(request.name, request.request_id, result, payload, X.ERROR_CODES[request.name])


HANDLERS: dict[str, Handler] = {
    "CardReader.ReadRawData": _read_card,
    "CardReader.Reset": _reset,
    "Printer.PrintRaw": _print_raw,
    "Printer.Reset": _reset,
    "Camera.TakePicture": _take_picture,
    "Camera.Reset": _reset,
    "BarcodeReader.Read": _read_code,
    "BarcodeReader.Reset": _reset,
}


def timeout_of(header_timeout_ms: int | None, payload: dict[str, Any], default_s: float) -> float:
    """The command's timeout: the header's (current XFS4IoT), else the payload's (2021-1), else the device's."""
    raw = header_timeout_ms if header_timeout_ms is not None else payload.get("timeout")
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return UNTIL_CANCELLED_S if raw == 0 else raw / 1000.0
    return default_s

