"""``kiosk ui --demo`` with a display, for real: Xvfb, the demo window in its own process (TerminalApp on
the sim devices + the developer panel), and every click sent as real X input with xdotool — through
SDL into Kivy, as a mouse or a touch screen would. The demo's ``--control`` socket only says where a
button is and what the window shows; it never taps and never sends an intent.

One 住房公积金 certificate: 身份证 via the panel's card (the identify step proceeds), then 退出 and
again by 渝快码 via the panel's phone, the ID card pages under the document camera via the panel,
the receipt printer out of paper via the panel (the citizen is told in plain Chinese), and the
technician's dashboard behind the hidden corner names the cause.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from drivers.printer.service import MSG_PAPER_OUT
from kiosk.maint import totp
from sim.config import demo_config, write_demo_config
from sim.ui import xvfb
from sim.devices.chipcard.pcscd import private_mode_available

REPO = Path(__file__).resolve().parents[2]
ITEM = "住房公积金个人缴存证明打印"
pytestmark = [pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (Debian package xvfb, tools/apt-packages.txt)"),
              pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed (tools/apt-packages.txt)")]


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    started = xvfb.start_xvfb(width, height)
    if started is None:
        pytest.fail("Xvfb did not report a display number")
    return started


class DemoWindow:
    """The demo process plus its control socket; clicks go through the X server."""

    def __init__(self, display: str, tmp: Path) -> None:
        self.display = display
        sockets = tempfile.mkdtemp(prefix="kiosk-demo-")  # short: a Unix socket path has ≤ 107 bytes
        self.path = os.path.join(sockets, "control.sock")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SDL_", "KIVY_", "PCSCLITE_"))}  # conftest's offscreen SDL
        env.update(DISPLAY=display, KIVY_NO_ARGS="1", KIVY_HOME=str(tmp / "kivy"))
        if private_mode_available():  # the demo's sim chip-card reader gets a pcscd of its own, not this process's
            env["PCSCLITE_CSOCK_NAME"] = os.path.join(sockets, "pcscd.comm")
        self.env = env
        self.log = (tmp / "demo.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli.main", "--config", str(write_demo_config(tmp / "terminal.toml", tmp / "data")), "ui", "--demo", "--scale", "0.5", "--control", self.path],
                                     cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.tmp = tmp
        self.stream: Any = None
        deadline = time.monotonic() + 30
        while self.stream is None:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the demo window did not come up:\n{self.log_tail()}")
            try:
                sock = socket.socket(socket.AF_UNIX)
                sock.connect(self.path)
                self.stream = sock.makefile("rwb")
            except OSError:
                time.sleep(0.1)

    def ask(self, **request: Any) -> dict[str, Any]:
        self.stream.write(json.dumps(request).encode() + b"\n")
        self.stream.flush()
        answer = json.loads(self.stream.readline())
        assert "error" not in answer, f"{request}: {answer['error']}"
        return answer  # type: ignore[no-any-return]

    def state(self) -> dict[str, Any]:
        return self.ask(cmd="state")

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=10)

    def click(self, **where: Any) -> None:
        at = self.ask(**where)
        self.xdotool("mousemove", str(at["x"]), str(at["y"]), "click", "1")

    def until(self, ready: Callable[[dict[str, Any]], bool], what: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if ready(state):
                return state
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: still on {state['kind']} {state['vm'] and state['vm'].get('phase', '')} "
                            f"{state['texts']} {state['devices']}\n{self.log_tail()}")
            time.sleep(0.1)

    def log_tail(self, lines: int = 15) -> str:
        self.log.flush()
        return "\n".join((self.tmp / "demo.log").read_text(errors="replace").splitlines()[-lines:])

    def close(self) -> int | None:
        if self.stream is not None:
            self.stream.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the demo closes its devices (and their pcscd) first
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        return self.proc.returncode


def on(kind: str, phase: str | None = None) -> Callable[[dict[str, Any]], bool]:
    return lambda s: s["kind"] == kind and (phase is None or (s["vm"] or {}).get("phase") == phase)


@pytest.fixture()
def demo(tmp_path):
    xvfb, display = start_xvfb(800, 960)  # the half-size terminal screen (540 wide) and the panel strip beside it
    window = None
    try:
        window = DemoWindow(display, tmp_path)
        yield window
    finally:
        code = window.close() if window is not None else None
        xvfb.terminate()
        xvfb.wait(5)
    assert code == 0, f"the demo did not exit cleanly on SIGTERM ({code})"


def test_the_developer_panel_drives_the_devices_and_the_flow(demo):
    demo.until(on("attract"), "the attract screen")
    assert demo.state()["devices"]["idcard"] is None  # the panel emptied the reader: nothing is read until a press

    # 身份证: the panel's card on the emulated reader → the real driver reads it → identify proceeds.
    demo.click(cmd="find", text=ITEM)
    demo.until(on("identify", "choose"), "the item's identify screen")
    demo.click(cmd="find", text="二代身份证")
    demo.until(on("identify", "insert_card"), "waiting for the card")
    time.sleep(0.5)
    assert demo.state()["kind"] == "identify"  # without the card nothing happens
    demo.click(cmd="panel", name="insert_id_card")
    demo.until(on("guide"), "identified by the ID card and face")
    assert demo.state()["devices"]["idcard"] is None  # read, then taken back by the citizen
    demo.click(cmd="find", text="退出")
    demo.until(on("attract"), "session ended")

    # 渝快码: the panel's phone in front of the camera reader → the platform names the person.
    demo.click(cmd="find", text=ITEM)
    demo.until(on("identify", "choose"), "the item's identify screen")
    demo.click(cmd="find", text="渝快码")
    demo.until(on("identify", "scan_code"), "waiting for the code")
    demo.click(cmd="panel", name="show_qr")
    demo.until(on("guide"), "logged in by 渝快码")
    demo.click(cmd="find", text="缴存证明")
    demo.until(on("notice"), "the notice")
    demo.click(cmd="find", text="开始申请")
    form = demo.until(on("form"), "the form")
    assert "张三" in form["texts"]  # prefilled for the person the 渝快码 belongs to
    demo.click(cmd="widget", id="next")

    # 高拍仪: the panel's page under the emulated document camera → captured (both sides: two presses).
    demo.until(on("materials"), "the materials")
    for _ in range(3):
        material = demo.state()["vm"]["materials"][0]
        if material["status"] == "captured":
            break
        demo.click(cmd="find", text="高拍仪")
        demo.until(lambda s: s["kind"] == "materials" and s["vm"]["capturing"] == "doccam", "capturing")
        demo.click(cmd="panel", name="place_page")
        demo.until(lambda s: s["kind"] == "materials" and not s["vm"]["capturing"], "the page captured", 20)
    assert material["status"] == "captured" and material["pages"] >= 1, material

    # 缺纸: the panel empties the emulated receipt printer; the receipt step says so in plain Chinese.
    demo.click(cmd="panel", name="toggle_paper")
    demo.until(lambda s: s["devices"]["printer_paper"] == "out", "paper out on the emulator", 5)
    demo.click(cmd="widget", id="next")
    demo.until(on("confirm"), "the confirm screen")
    demo.click(cmd="widget", id="next")
    receipt = demo.until(on("receipt"), "the receipt step", 20)
    assert receipt["vm"]["printed"] is False and receipt["vm"]["print_error"] == MSG_PAPER_OUT
    assert any(MSG_PAPER_OUT in text for text in receipt["texts"])

    # The citizen leaves with the receipt screen's 退出 (the corner is inert while a citizen is served). Then the
    # technician: long press on the hidden corner, the TOTP code on the pad, the dashboard names the cause.
    demo.click(cmd="find", text="退出")
    demo.until(on("attract"), "the citizen's session ended", 20)
    corner = demo.ask(cmd="corner")
    demo.xdotool("mousemove", str(corner["x"]), str(corner["y"]), "mousedown", "1", "sleep", "2.5", "mouseup", "1")
    demo.until(on("maintenance"), "the maintenance pad", 5)
    time.sleep(0.3)  # the docked keyboard lays out
    for typed, digit in enumerate(totp.totp(demo_config().maintenance.totp_secret), 1):
        demo.click(cmd="key", key=digit)
        demo.until(lambda s, n=typed: len(demo.ask(cmd="widget", id="code")["text"]) == n, f"digit {typed} typed", 5)
    demo.click(cmd="widget", id="next")
    dashboard = demo.until(lambda s: s["kind"] == "maintenance" and bool((s["vm"] or {}).get("devices")), "the dashboard")
    printer = next(row for row in dashboard["vm"]["devices"] if row["device"] == "printer")
    assert printer["state"] == "user_error" and "paper out" in printer["description"] and not printer["ok"]
    assert any(text.startswith("printer") and "paper out" in text for text in dashboard["texts"])
