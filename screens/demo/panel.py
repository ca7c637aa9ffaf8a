"""Developer panel (demo mode only): the one place the UI touches emulators. Each button drives a sim
device's wire-level emulator through the Terminal facade (``terminal.devices[cls].emulator``) and
tells the scripted story what that device would report, so the window reacts as on real hardware."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Callable

from kivy.factory import Factory
from kivy.uix.boxlayout import BoxLayout

from kiosk.terminal.status import DeviceClass

log = logging.getLogger(__name__)


class DeviceHost:
    """Opens the sim devices on a private asyncio loop thread (the UI thread never awaits a device)."""

    def __init__(self, config: Any) -> None:
        from kiosk.terminal.facade import Terminal

        self.loop = asyncio.new_event_loop()
        self.terminal = Terminal(config)
        self._thread = threading.Thread(target=self.loop.run_forever, name="demo-devices", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.terminal.start(), self.loop).result(timeout=60)

    def emulator(self, cls: DeviceClass) -> Any:
        device = self.terminal.devices.get(cls)
        return getattr(device, "emulator", None)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.terminal.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)


class DevPanel(BoxLayout):
    def __init__(self, port: Any, terminal: Any | None, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("size_hint", (None, None))
        kwargs.setdefault("size", (260, 5 * 70))
        kwargs.setdefault("pos_hint", {"right": 1, "top": 0.9})
        super().__init__(spacing=6, padding=6, **kwargs)
        self.port, self.terminal = port, terminal
        self.paper_out = False
        for label, action in (("放身份证", self.insert_id_card), ("出示二维码", self.show_qr), ("放置文件", self.place_page),
                              ("缺纸/有纸", self.toggle_paper), ("超时提示", self.idle)):
            button = Factory.KGhost(text=label, font_size=22, height=64)
            button.bind(on_release=lambda _b, act=action: self._safe(act))
            self.add_widget(button)

    def _safe(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 — a demo button must never take the window down
            log.warning("dev panel: %s failed: %s", action.__name__, exc)

    def _emu(self, cls: DeviceClass) -> Any:
        device = self.terminal.devices.get(cls) if self.terminal is not None else None
        return getattr(device, "emulator", None)

    def _story(self, hook: str) -> None:
        """The scripted StoryPort needs telling; the real flow engine hears the device itself."""
        callback = getattr(self.port, hook, None)
        if callable(callback):
            callback()

    def insert_id_card(self) -> None:
        emulator = self._emu(DeviceClass.ID_CARD_READER)
        if emulator is not None:
            emulator.insert(sorted(emulator.cards)[0] if emulator.card_id is None else emulator.card_id)
        self._story("card_placed")

    def show_qr(self) -> None:
        emulator = self._emu(DeviceClass.BARCODE_READER)
        if emulator is not None and hasattr(emulator, "show"):
            emulator.show("YKB-DEMO-RECEIPT")
        self._story("show_case")

    def place_page(self) -> None:
        emulator = self._emu(DeviceClass.DOCUMENT_CAMERA)
        if emulator is not None:
            emulator.place("a4")

    def toggle_paper(self) -> None:
        self.paper_out = not self.paper_out
        emulator = self._emu(DeviceClass.RECEIPT_PRINTER)
        if emulator is not None:
            emulator.set_paper("out" if self.paper_out else "ok")

    def idle(self) -> None:
        self._story("idle_warning")
