"""Developer panel (``kiosk ui --demo`` only): the citizen's hands on the emulated devices.

Each button drives a sim device's wire-level emulator (``terminal.<device>.emulator``); the REAL
driver then sees the card, the QR code or the page, and the flow engine reacts exactly as it does to
hardware — the panel never talks to the flow or the screens. It also takes things away again the way
a citizen does (the card once it has been read, the phone once the code was scanned, the page once it
was captured), so the next step waits for the next press instead of re-reading a leftover.
Emulator calls run on one worker thread: rendering a document-camera scene takes about a second and
the window must keep drawing.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

log = logging.getLogger(__name__)
DEMO_CARD, PRINCIPAL_CARD = "zhangsan", "lixiuying"  # cards in drivers/idcard/cards/demo.json
# 张三's 渝快码 as the embedded platform knows it (sim/sim/platform/seed/persons.json).
DEMO_YKM = "YKM1-ZHANGSAN-7F3K2Q9M"
CASE_QR = "https://zwykb.cq.gov.cn/progress?r={}"  # what a printed receipt's QR code carries
ACTIONS = (("insert_id_card", "放身份证"), ("show_qr", "出示二维码"), ("place_page", "放置文件"), ("toggle_paper", "打印机缺纸"))


class DevPanel(BoxLayout):
    """Four buttons and a status line in a dark strip beside the kiosk screen (the demo window is wider
    than the terminal's display by ``width``), so the panel never covers a button of the screens."""

    def __init__(self, app: Any, terminal: Any, maintenance_code: Callable[[], str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("size_hint", (None, None))
        super().__init__(spacing=4, padding=6, **kwargs)
        self.app, self.terminal = app, terminal
        self.card_on_reader = self.qr_shown = self.page_on_desk = self.paper_out = self._capturing = False
        self.last_receipt = ""
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="dev-panel")
        with self.canvas.before:
            Color(0.12, 0.14, 0.18, 1)
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=lambda *_: setattr(self._bg, "pos", self.pos), size=lambda *_: setattr(self._bg, "size", self.size))
        font = max(12, int(self.width / 11))
        self.add_widget(Label(text="开发者面板", font_size=font, color=(1, 1, 1, 1), size_hint_y=None, height=font * 2))
        self.buttons: dict[str, Any] = {}
        for name, label in ACTIONS:
            button = Factory.KGhost(text=label, font_size=font, size_hint_y=None, height=font * 3)
            button.bind(on_release=lambda _b, act=getattr(self, name): self._safe(act))
            self.buttons[name] = button
            self.add_widget(button)
        self.status = Label(text="设备已就绪：读卡器、扫码口、高拍仪均空", font_size=int(font * 0.75), color=(0.8, 0.85, 0.9, 1),
                            size_hint_y=None, height=font * 4, halign="center", valign="middle")
        self.status.bind(size=lambda lbl, size: setattr(lbl, "text_size", size))
        self.add_widget(self.status)
        if maintenance_code is not None:  # the demo's technician has no authenticator app: the code is shown here
            code = Label(font_size=int(font * 0.75), color=(1, 0.85, 0.4, 1), size_hint_y=None, height=font * 2)
            self.add_widget(code)
            tick = lambda _dt: setattr(code, "text", f"维护动态码 {maintenance_code()}")  # noqa: E731
            tick(0)
            Clock.schedule_interval(tick, 1.0)
        self.add_widget(Widget())  # the rest of the strip
        app.on_shown.append(self._on_shown)
        self.run(self._empty_devices, "")

    # ----- plumbing -----------------------------------------------------------------------------
    def emulator(self, device: str) -> Any:
        return getattr(getattr(self.terminal, device, None), "emulator", None)

    def run(self, job: Callable[[], None], note: str) -> Future[None]:
        """Run ``job`` on the worker; show ``note`` (or the failure) on the status line when done."""

        def done(future: Future[None]) -> None:
            error = future.exception()
            text = f"失败：{error}" if error else note
            if error:
                log.warning("dev panel: %s", error)
            if text:  # the newest note wins, whatever order the Clock runs the updates in
                self._note = text
                Clock.schedule_once(lambda _dt: setattr(self.status, "text", self._note), 0)

        future = self.worker.submit(job)
        future.add_done_callback(done)
        return future

    def _safe(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 — a demo button must never take the window down
            log.warning("dev panel: %s failed: %s", getattr(action, "__name__", action), exc)
            self.status.text = f"失败：{exc}"

    def _empty_devices(self) -> None:
        """Nothing on the devices until a button puts it there (the sim defaults hold a card and a page)."""
        for device, method in (("idcard", "remove"), ("doccam", "clear"), ("barcode", "clear")):
            emulator = self.emulator(device)
            if emulator is not None and hasattr(emulator, method):
                getattr(emulator, method)()

    # ----- the buttons --------------------------------------------------------------------------
    def insert_id_card(self) -> None:
        """The citizen lays an ID card on the reader: 张三's, or in 代办 the principal's (李秀英)."""
        vm = self.app.current_vm
        card = PRINCIPAL_CARD if getattr(vm, "role", "") == "principal" else DEMO_CARD
        emulator = self.emulator("idcard")
        if emulator is None:
            raise RuntimeError("no ID card reader in this configuration")
        self.card_on_reader = True
        self.run(lambda: emulator.insert(card), f"身份证已放上读卡器（{card}）")

    def show_qr(self) -> None:
        """A phone held to the scanner: 张三's 渝快码, or on 办件查询 the last receipt's QR code."""
        vm = self.app.current_vm
        code = CASE_QR.format(self.last_receipt or "YKB-DEMO") if getattr(vm, "kind", "") == "case_status" else DEMO_YKM
        emulator = self.emulator("barcode")
        if emulator is None or not hasattr(emulator, "show"):
            raise RuntimeError("no camera QR reader in this configuration")
        self.qr_shown = True
        self.run(lambda: emulator.show(code), "二维码已对准扫码口")

    def place_page(self) -> None:
        """An A4 page laid under the document camera (the driver waits until it lies still)."""
        emulator = self.emulator("doccam")
        if emulator is None:
            raise RuntimeError("no document camera in this configuration")
        self.page_on_desk = True
        self._capturing = bool(getattr(self.app.current_vm, "capturing", None))
        self.run(lambda: emulator.place("a4"), "文件已放到高拍仪下")

    def toggle_paper(self) -> None:
        """Receipt printer out of paper, or refilled (the button says which comes next)."""
        emulator = self.emulator("printer")
        if emulator is None:
            raise RuntimeError("no receipt printer in this configuration")
        self.paper_out = not self.paper_out
        state = "out" if self.paper_out else "ok"
        self.buttons["toggle_paper"].text = "打印机补纸" if self.paper_out else "打印机缺纸"
        self.run(lambda: emulator.set_paper(state), "凭条打印机：缺纸" if self.paper_out else "凭条打印机：已补纸")

    # ----- the citizen takes things away ---------------------------------------------------------
    def _on_shown(self, kind: str) -> None:
        vm = self.app.current_vm
        phase = getattr(vm, "phase", "")
        if kind == "receipt" and getattr(vm, "receipt_number", ""):
            self.last_receipt = vm.receipt_number
        if self.card_on_reader and not (kind == "identify" and phase in ("insert_card", "reading")):
            self.card_on_reader = False  # read (or the citizen left): the card goes back in the pocket
            emulator = self.emulator("idcard")
            self.run(emulator.remove, "身份证已取走")
        scanning = (kind == "identify" and phase == "scan_code") or (kind == "case_status" and phase == "scan")
        if self.qr_shown and not scanning and not (kind == "identify" and phase in ("choose", "verifying")):
            self.qr_shown = False
            emulator = self.emulator("barcode")
            self.run(emulator.clear, "手机已移开")
        if self.page_on_desk and kind == "materials":
            if getattr(vm, "capturing", None):
                self._capturing = True
            elif self._capturing:  # the capture ended (taken or rejected): the citizen picks the page up
                self.page_on_desk = self._capturing = False
                emulator = self.emulator("doccam")
                self.run(emulator.clear, "文件已取走")

    def state(self) -> dict[str, Any]:
        """What the emulators hold right now (the demo's control socket reports it)."""
        idcard, barcode, printer = self.emulator("idcard"), self.emulator("barcode"), self.emulator("printer")
        return {"idcard": getattr(idcard, "card_id", None), "barcode": getattr(barcode, "code", None),
                "printer_paper": getattr(printer, "paper", None), "printer_jobs": len(getattr(printer, "jobs", [])),
                "page_on_desk": self.page_on_desk, "status": self.status.text}

    def close(self) -> None:
        self.worker.shutdown(wait=True, cancel_futures=False)
