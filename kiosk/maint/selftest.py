"""The technician's self-test: one step per device plus the platform round trip, over the Terminal facade.

Steps: test print, ID card read, 社保卡 read, QR scan, camera focus and brightness, scanner test page,
document camera crop, voice prompt, A4 test page, platform round trip. Each step uses the same contract
calls flows use, so a pass means citizens will be served. A step that needs a medium (test card,
test QR) says so in ``prompt``; with an emulated device (``device.emulator``) the suite puts the
test medium there itself — the emulator stands in for the technician's hand, the driver is real.
Results are plain dicts (UI lists them, ``kiosk maint selftest --json`` prints them, the heartbeat uploads them).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.flows.media_wait import until_inserted
from kiosk.terminal.completion import Completion
from kiosk.terminal.status import DeviceClass

TEST_CODE = "YKB-SELFTEST-QR-0001"  # printed as the QR of the receipt test page too
MEDIA_PATIENCE_S = 4.0


@dataclass
class StepResult:
    name: str
    device: str
    ok: bool
    detail: str
    prompt: str = ""
    duration_s: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "device": self.device, "ok": self.ok, "skipped": self.skipped, "detail": self.detail[:300],
                "prompt": self.prompt, "duration_s": round(self.duration_s, 3), "data": self.data}


Step = Callable[[Any], Awaitable[tuple[bool, str, dict[str, Any]]]]


def _c(result: Completion[Any], what: str) -> tuple[bool, str, dict[str, Any]]:
    if result.ok:
        return True, f"{what}: ok", {}
    return False, f"{what}: {result.code.value}: {result.description}", {"action": result.action.value if result.action else None}


async def until_media(t: Any, reader: DeviceClass, call: Callable[[], Awaitable[Completion[Any]]]) -> Completion[Any]:
    """Wait for the test card (the technician is still placing it): one read now, then one per MediaInserted
    from the reader's poller (kiosk.flows.media_wait), not a read every 0.2 s."""
    return await until_inserted(t.bus, t.devices.get(reader), call, MEDIA_PATIENCE_S)


async def test_print(t: Any) -> tuple[bool, str, dict[str, Any]]:
    from kiosk.receipts.testpage import build_test_page

    result = await t.printer.print_document(build_test_page(t.config.terminal.id, datetime.now(), qr_data=TEST_CODE))
    ok, detail, data = _c(result, "receipt test page")
    return ok, detail, {**data, "paper": t.printer.status().detail.get("paper", "unknown")}


async def idcard_read(t: Any) -> tuple[bool, str, dict[str, Any]]:
    emulator = getattr(t.idcard, "emulator", None)
    if emulator is not None and emulator.card_id is None:
        emulator.insert(sorted(emulator.cards)[0])
    result = await until_media(t, DeviceClass.ID_CARD_READER, lambda: t.idcard.read_card())
    if not result.ok:
        return _c(result, "ID card read")
    if result.data is None:
        return False, "ID card read: success without the card's data", {}
    return True, f"ID card read: {result.data!r}", {"card_type": result.data.card_type}


async def chipcard_read(t: Any) -> tuple[bool, str, dict[str, Any]]:
    result = await until_media(t, DeviceClass.CHIP_CARD_READER, lambda: t.chipcard.read_card())
    if not result.ok:
        return _c(result, "社保卡 read")
    if result.data is None:
        return False, "社保卡 read: success without the card's data", {}
    return True, f"社保卡 read: {result.data!r}", {"reader": result.data.reader}


async def qr_scan(t: Any) -> tuple[bool, str, dict[str, Any]]:
    emulator = getattr(t.barcode, "emulator", None)
    if emulator is not None:
        (emulator.show if hasattr(emulator, "show") else emulator.scan)(TEST_CODE)
    result = await t.barcode.read_code(timeout=10)
    if emulator is not None and hasattr(emulator, "clear"):
        emulator.clear()
    if not result.ok:
        return _c(result, "QR scan")
    if result.data.text != TEST_CODE:
        return False, f"QR scan read a different code ({len(result.data.text)} chars), not the test code", {}
    return True, f"QR scan: test code read from {result.data.source}", {}


async def camera_check(t: Any) -> tuple[bool, str, dict[str, Any]]:
    check = getattr(t.camera, "check_quality", None)
    if check is None:
        result = await t.camera.capture_face()
        return _c(result, "camera")
    result = await check(timeout=10)
    if not result.ok:
        return _c(result, "camera")
    metrics = {k: v for k, v in result.data.metrics.items() if k in ("frame_brightness", "brightness", "sharpness")}
    sharp, bright = metrics.get("sharpness", 0.0), metrics.get("frame_brightness", metrics.get("brightness", 0.0))
    ok = sharp >= 20.0 and 50.0 <= bright <= 220.0
    return ok, f"camera focus (sharpness {sharp:.0f}) and brightness ({bright:.0f}) {'ok' if ok else 'out of range'}", metrics


async def scanner_page(t: Any) -> tuple[bool, str, dict[str, Any]]:
    result = await t.scanner.scan(source="flatbed", mode="color", dpi=75, max_pages=1)
    if not result.ok:
        return _c(result, "scanner test page")
    page = result.data[0]
    return True, f"scanner test page {page.width}x{page.height}@{page.dpi}dpi", {"bytes": len(page.data)}


async def doccam_crop(t: Any) -> tuple[bool, str, dict[str, Any]]:
    emulator = getattr(t.doccam, "emulator", None)
    if emulator is not None and getattr(emulator, "scene", None) is None:
        emulator.place("a4")
    result = await t.doccam.capture_page(mode="page")
    if not result.ok:
        return _c(result, "document camera crop")
    page = result.data
    return True, f"document camera crop {page.width}x{page.height}", {"corrected": bool(page.detail.get("corners") or page.detail)}


async def voice(t: Any) -> tuple[bool, str, dict[str, Any]]:
    return _c(await t.speaker.speak("自助终端语音播报测试"), "voice prompt")


async def a4_page(t: Any) -> tuple[bool, str, dict[str, Any]]:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=16)
    pdf.cell(0, 10, f"Self-test page {t.config.terminal.id}")
    result = await t.a4printer.print_pdf(bytes(pdf.output()), "self-test", timeout=60)
    return _c(result, "A4 test page")


async def platform_round_trip(t: Any) -> tuple[bool, str, dict[str, Any]]:
    client = t.services.get("platform")
    if client is None:
        return False, "platform round trip: no platform client attached", {}
    started = time.monotonic()
    try:
        await client.ping()
        await client.current_config()  # a signed call: the terminal key is accepted too
    except Exception as exc:  # noqa: BLE001 — any failure is the step's result
        return False, f"platform round trip: {type(exc).__name__}: {exc}"[:300], {}
    ms = (time.monotonic() - started) * 1000
    return True, f"platform round trip {ms:.0f} ms (ping + signed call)", {"latency_ms": round(ms, 1)}


#: (name, device attribute on Terminal or None for the platform, step, prompt for the technician)
STEPS: list[tuple[str, str | None, Step, str]] = [
    ("test_print", "printer", test_print, ""),
    ("idcard_read", "idcard", idcard_read, "请将测试身份证放在读卡区"),
    ("chipcard_read", "chipcard", chipcard_read, "请插入测试社保卡"),
    ("qr_scan", "barcode", qr_scan, "请将测试页上的二维码对准扫码口"),
    ("camera_focus_brightness", "camera", camera_check, "请站在摄像头前"),
    ("scanner_test_page", "scanner", scanner_page, "请在扫描仪上放一张纸"),
    ("doccam_crop", "doccam", doccam_crop, "请在高拍仪下放一张 A4 纸"),
    ("voice", "speaker", voice, "请确认听到语音播报"),
    ("a4_test_page", "a4printer", a4_page, ""),
    ("platform_round_trip", None, platform_round_trip, ""),
]


async def run_selftest(terminal: Any, only: list[str] | None = None, step_timeout_s: float = 90.0) -> dict[str, Any]:
    """Run every step (or ``only``) in order; a missing device is a skipped step, not a failure."""
    results: list[StepResult] = []
    for name, device, step, prompt in STEPS:
        if only and name not in only:
            continue
        if device is not None and getattr(terminal, device) is None:
            results.append(StepResult(name, device, True, f"{device} not configured on this terminal", prompt, skipped=True))
            continue
        started = time.monotonic()
        try:
            ok, detail, data = await asyncio.wait_for(step(terminal), step_timeout_s)
        except TimeoutError:
            ok, detail, data = False, f"{name}: no answer within {step_timeout_s:.0f} s", {}
        except Exception as exc:  # noqa: BLE001 — a broken step is a failed step; the suite goes on
            ok, detail, data = False, f"{name}: {type(exc).__name__}: {exc}", {}
        results.append(StepResult(name, device or "platform", ok, detail, prompt, time.monotonic() - started, data))
    return {"at": time.time(), "terminal": terminal.config.terminal.id, "passed": all(r.ok for r in results),
            "results": [r.to_dict() for r in results]}


def heartbeat_summary(report: dict[str, Any]) -> dict[str, Any]:
    """The shape the heartbeat contract takes (``selftest``)."""
    return {"at": report["at"], "passed": report["passed"],
            "results": [{"name": r["name"], "ok": r["ok"], "detail": r["detail"][:300]} for r in report["results"]][:32]}
