"""``kiosk ui --demo --control SOCKET``: read-only eyes on the running demo window, for automated runs.

It never taps and never sends an intent: it answers where a button is on the X screen and what the
window shows, so a test (or a screen recording script) can click with real X input (``xdotool``) —
the same path a mouse or a touch screen takes through SDL into Kivy. One JSON request per line on a
Unix socket, one JSON answer per line. Every question is answered on the Kivy thread.

    {"cmd": "state"}                    → the view-model (simple fields), visible texts, panel/emulator state
    {"cmd": "find", "text": "身份证"}    → {"x", "y"} of the first visible button containing the text
    {"cmd": "panel", "name": "show_qr"} → {"x", "y"} of a developer-panel button
    {"cmd": "key", "key": "7"}          → {"x", "y"} of an on-screen keyboard key
    {"cmd": "widget", "id": "next"}     → {"x", "y", "text"} of the current screen's ``ids[id]`` (or the bottom bar's)
    {"cmd": "corner"}                   → {"x", "y"} of the hidden technician corner
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import threading
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.button import Button

log = logging.getLogger(__name__)


class ControlServer:
    def __init__(self, path: str, app: Any, panel: Any) -> None:
        self.path, self.app, self.panel = path, app, panel
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(2)
        self._thread = threading.Thread(target=self._accept, name="demo-control", daemon=True)

    def start(self) -> "ControlServer":
        self._thread.start()
        return self

    def close(self) -> None:
        self.sock.close()
        if os.path.exists(self.path):
            os.unlink(self.path)

    # ----- socket thread ------------------------------------------------------------------------
    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rwb") as stream:
            for line in stream:
                try:
                    answer = self._on_kivy(json.loads(line))
                except Exception as exc:  # noqa: BLE001 — a bad question gets an error answer, the window lives on
                    answer = {"error": f"{type(exc).__name__}: {exc}"}
                stream.write(json.dumps(answer, ensure_ascii=False, default=str).encode() + b"\n")
                stream.flush()

    def _on_kivy(self, request: dict[str, Any]) -> dict[str, Any]:
        done = threading.Event()
        box: dict[str, Any] = {}

        def run(_dt: float) -> None:
            try:
                box["answer"] = self.answer(request)
            except Exception as exc:  # noqa: BLE001
                box["answer"] = {"error": f"{type(exc).__name__}: {exc}"}
            done.set()

        Clock.schedule_once(run, 0)
        if not done.wait(10):
            return {"error": "the Kivy thread did not answer within 10 s"}
        return box["answer"]

    # ----- Kivy thread --------------------------------------------------------------------------
    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        cmd = request.get("cmd")
        app = self.app
        if cmd == "state":
            return self.state()
        if cmd == "find":
            roots = [app.screen_for(app.current_vm.kind) if app.current_vm else app.manager, app.bottom_bar]
            for root in roots:
                for widget in root.walk(restrict=True):
                    if isinstance(widget, Button) and request["text"] in widget.text and _visible(widget):
                        return self.where(widget)
            return {"error": f"no visible button {request['text']!r}"}
        if cmd == "panel":
            return self.where(self.panel.buttons[request["name"]])
        if cmd == "key":
            if app.keyboard is None or app.keyboard.parent is None:
                return {"error": "the on-screen keyboard is not open"}
            return self.where(app.keyboard.key(request["key"]))
        if cmd == "widget":
            screen = app.manager.current_screen
            widget = screen.ids.get(request["id"]) or app.bottom_bar.ids.get(request["id"])
            if widget is None:
                return {"error": f"no widget id {request['id']!r}"}
            return {**self.where(widget), "text": getattr(widget, "text", None)}
        if cmd == "corner":
            return self.where(app.tech_corner)
        return {"error": f"unknown command {cmd!r}"}

    def where(self, widget: Any) -> dict[str, Any]:
        """The widget's centre on the X screen (Kivy counts y from the bottom, X from the top)."""
        x, y = widget.to_window(*widget.center)
        return {"x": int(Window.left + x), "y": int(Window.top + Window.height - y)}

    def state(self) -> dict[str, Any]:
        app = self.app
        vm = app.current_vm
        screen = app.manager.current_screen
        texts = [w.text for w in screen.walk(restrict=True) if isinstance(getattr(w, "text", None), str) and w.text and _visible(w, False)]
        if app.overlay.parent is not None:
            texts.append(app.overlay.text)
        return {"kind": vm.kind if vm else None, "screen": app.manager.current, "vm": _simple(vm) if vm else None,
                "texts": texts, "devices": self.panel.state()}


def _visible(widget: Any, enabled: bool = True) -> bool:
    """Drawn (no transparent ancestor) and, unless ``enabled`` is False, not disabled."""
    while widget is not None and widget is not widget.parent:
        if getattr(widget, "opacity", 1) == 0 or (enabled and getattr(widget, "disabled", False)):
            return False
        widget = widget.parent
    return True


def _simple(value: Any) -> Any:
    """A view-model as JSON: dataclasses to dicts, pictures (bytes) left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _simple(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not isinstance(getattr(value, f.name), (bytes, bytearray))}
    if isinstance(value, (list, tuple)):
        return [_simple(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _simple(v) for k, v in value.items()}
    return value
