"""A scripted walk through every device of the embedded default, as a citizen's visit would use them.

Each step prints what happens in Chinese and English; the receipt (rendered from the exact ESC/POS
bytes sent), the A4 certificate (the PDF cupsd received) and the voice prompt are written to the
output dir. Emulators are driven only through their control APIs (card placed, QR shown, page put
down, paper out), the devices only through their contracts — the same paths the flows use.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

from kiosk.documents.certificate import render_pdf, test_certificate
from kiosk.privacy import mask_id_number, mask_name
from kiosk.receipts.acceptance import AcceptanceReceipt, MaterialReceived, build_acceptance_receipt
from kiosk.terminal.completion import Completion, CompletionCode
from kiosk.terminal.events import Event, MediaInserted, MediaRemoved, StatusChanged, Threshold
from kiosk.terminal.facade import Terminal
from kiosk.terminal.status import DeviceClass

Say = Callable[[str], None]


class Tour:
    def __init__(self, terminal: Terminal, out: Path, say: Say = print) -> None:
        self.terminal = terminal
        self.out = out
        self.say = say
        self.results: list[dict[str, Any]] = []
        terminal.bus.subscribe(self._on_event, (MediaInserted, MediaRemoved, Threshold, StatusChanged))

    def _on_event(self, event: Event) -> None:
        if isinstance(event, StatusChanged):
            if event.new.state.value not in ("busy", "online") or (event.old and event.old.state.value not in ("busy", "online", "starting")):
                self.say(f"      · event: {event.device} {event.old.state.value if event.old else '?'} → {event.new.state.value} {event.new.description}")
        elif isinstance(event, Threshold):
            self.say(f"      · event: {event.device} threshold {event.name}={event.level}")
        else:
            self.say(f"      · event: {event.device} {type(event).__name__} ({getattr(event, 'media', '')})")

    async def step(self, title: str, action: Callable[[], Awaitable[Completion[Any]]], describe: Callable[[Any], str]) -> Completion[Any]:
        self.say(f"\n▶ {title}")
        started = time.monotonic()
        result = await action()
        elapsed = time.monotonic() - started
        if result.ok:
            self.say(f"  ✔ {describe(result.data)}  [{elapsed * 1000:.0f} ms]")
        else:
            self.say(f"  ✘ {result.code.value}: {result.description}")
            self.say(f"    citizen sees: {result.citizen_message}  (recovery: {result.action.value if result.action else '-'})")
        self.results.append({"step": title, "code": result.code.value, "ms": round(elapsed * 1000, 1), "description": result.description})
        return result

    def device(self, cls: DeviceClass) -> Any:
        return self.terminal.devices.get(cls)

    async def run(self) -> list[dict[str, Any]]:
        t = self.terminal
        self.say(f"终端 {t.config.terminal.id} · {t.config.terminal.hall}")
        opened = await t.start()
        for cls, result in opened.items():
            self.say(f"  {cls.value:<10} {'online' if result.ok else result.code.value} {t.specs[cls].url.raw}")
        if t.idcard:
            await self.step("二代证读卡 Read the resident ID card", lambda: t.idcard.read_card(),  # type: ignore[union-attr]
                            lambda c: f"{c.card_type} {mask_name(c.name)} {mask_id_number(c.id_number)} 有效期至 {c.valid_to}")
        if t.camera:
            await self.step("人脸采集 Face capture for 人证核验", lambda: t.camera.capture_face(),  # type: ignore[union-attr]
                            lambda f: f"face {f.box[2]}×{f.box[3]} px in {f.width}×{f.height}, JPEG {len(f.jpeg) // 1024} KB, quality {f.quality}")
        if t.barcode:
            emulator = getattr(self.device(DeviceClass.BARCODE_READER), "emulator", None)
            if emulator is not None and hasattr(emulator, "show"):
                from sim.devices.barcode.emulator import demo_token

                emulator.show(demo_token())
            await self.step("渝快码扫码 Scan a 渝快码 on a phone", lambda: t.barcode.read_code(),  # type: ignore[union-attr]
                            lambda c: f"{c.symbology} token of {len(c.text)} chars from {c.source} (verified by the platform, not here)")
        if t.chipcard:
            await self.step("社保卡读卡 Read the 社保卡 over PC/SC", self._read_chipcard,
                            lambda c: f"{mask_name(c.name)} 社会保障号 {mask_id_number(c.social_security_number)} 卡号 {c.card_number[:3]}***")
        if t.doccam:
            async def capture() -> Completion[Any]:
                emulator = getattr(self.device(DeviceClass.DOCUMENT_CAMERA), "emulator", None)
                if emulator is not None:
                    emulator.place("a4")
                return await t.doccam.capture_page()  # type: ignore[union-attr]

            result = await self.step("高拍仪拍摄 Capture a page on the 高拍仪", capture,
                                     lambda p: f"{p.width}×{p.height} @ {p.dpi} dpi, {p.mime}, {len(p.data) // 1024} KB (≤ 400 KB budget)")
            if result.ok:
                (self.out / "doccam-page.jpg").write_bytes(result.data.data)
        if t.scanner:
            emulator = getattr(self.device(DeviceClass.SCANNER), "emulator", None)
            if emulator is not None:
                emulator.load_feeder(3)
            await self.step("扫描仪 ADF 扫描 Scan 3 sheets from the feeder", lambda: t.scanner.scan(source="adf", dpi=150, max_pages=10),  # type: ignore[union-attr]
                            lambda pages: f"{len(pages)} page(s): " + ", ".join(f"{p.width}×{p.height}" for p in pages))
        if t.printer:
            await self._receipts()
        if t.a4printer:
            await self._certificate()
        if t.speaker:
            await self.step("语音提示 Voice prompt (espeak-ng cmn-latn-pinyin)", lambda: t.speaker.speak("请将身份证放在感应区，谢谢。"),  # type: ignore[union-attr]
                            lambda _: "spoken" + self._copy_wav())
        await t.stop()
        (self.out / "tour.json").write_text(json.dumps(self.results, ensure_ascii=False, indent=2), encoding="utf-8")
        return self.results

    async def _read_chipcard(self, wait_s: float = 10.0) -> Completion[Any]:
        """As a flow does: ``no_media`` means the card is not seen yet (pcscd polls its readers), so wait."""
        deadline = time.monotonic() + wait_s
        while True:
            result = await self.terminal.chipcard.read_card()  # type: ignore[union-attr]
            if result.code is not CompletionCode.NO_MEDIA or time.monotonic() > deadline:
                return result
            await asyncio.sleep(0.2)

    def _receipt(self) -> AcceptanceReceipt:
        cfg = self.terminal.config.terminal
        return AcceptanceReceipt(
            case_number="YKB5001122026112600017", item_name="社会保险个人参保证明打印", applicant_name="张三",
            applicant_id_number="500112198703152613", accepted_at=dt.datetime.now(), terminal_id=cfg.id, hall=cfg.hall,
            progress_url="https://zwykb.cq.gov.cn/case/YKB5001122026112600017", delivery="终端当场打印",
            materials=(MaterialReceived("居民身份证", 1, "原件"), MaterialReceived("户口簿", 1, "电子证照")),
            fee=__import__("decimal").Decimal("0"), time_limit="即办", department="重庆市社会保险事业中心",
        )

    async def _receipts(self) -> None:
        printer = self.device(DeviceClass.RECEIPT_PRINTER)
        emulator = getattr(printer, "emulator", None)
        document = build_acceptance_receipt(self._receipt())
        if emulator is not None:
            emulator.set_paper("out")
        await self.step("受理回执（缺纸） Print the receipt — the printer is out of paper", lambda: printer.print_document(document), lambda _: "printed")
        if emulator is not None:
            emulator.set_paper("ok")
            self.say("    (technician refills the paper; nothing was lost, the same receipt is sent again)")
        result = await self.step("受理回执 Print the 受理回执", lambda: printer.print_document(document), lambda _: "printed and cut")
        if result.ok and emulator is not None:
            from drivers.printer.render import render

            jobs = emulator.wait_for_jobs(1)
            rendered = render(jobs[-1], width_dots=emulator.width_dots)
            (self.out / "receipt.png").write_bytes(rendered.png())
            self.say(f"    receipt.png: {len(rendered.lines)} lines, QR → {rendered.qr_payloads}, missing glyphs: {sorted(rendered.missing_glyphs) or 'none'}")

    async def _certificate(self) -> None:
        cfg = self.terminal.config.terminal
        pdf = render_pdf(test_certificate(cfg.hall, cfg.id))
        printer = self.device(DeviceClass.DOCUMENT_PRINTER)
        result = await self.step("A4 证明打印 Print an A4 certificate through cupsd", lambda: printer.print_pdf(pdf, "demo certificate"),
                                 lambda job: f"job {job.job_id} {job.state}, {job.pages} page(s)")
        emulator = getattr(printer, "emulator", None)
        if result.ok and emulator is not None and emulator.last_job():
            (self.out / "certificate.pdf").write_bytes(emulator.last_job())

    def _copy_wav(self) -> str:
        emulator = getattr(self.device(DeviceClass.SPEAKER), "emulator", None)
        wav = emulator.last_wav() if emulator is not None else None
        if wav is None:
            return ""
        (self.out / "prompt.wav").write_bytes(Path(wav).read_bytes())
        return f" → prompt.wav ({Path(wav).stat().st_size // 1024} KB)"
