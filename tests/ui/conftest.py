"""UI tests: one real Kivy window per test process (offscreen SDL when there is no display), half size
so llvmpipe draws fast; the app is driven frame by frame through real touches.

The window starts on a ``ScreenPort``: no flow behind it, it shows the view-models a test publishes
(the glyph test). Tests of behaviour attach the REAL flow engine for their module (``flow_runtime``:
FlowRuntime with sim devices and the embedded platform, or a whole TerminalApp) and hand the window
back to the screen port afterwards.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any, Callable, Iterator

import pytest

from screens import env
from sim.devices.chipcard.pcscd import private_mode_available

env.prepare("portrait", headless=not os.environ.get("DISPLAY"), scale=0.5)

# A private pcscd for every sim 社保卡 reader of the UI run (as tests/chipcard and tests/maint do): without it,
# another process on the machine (a parallel UI run) mixed its own sim card into ours ("这张卡不是维护卡").
# libpcsclite reads this once per process before its first call, so it is set at collection.
if private_mode_available() and not os.environ.get("PCSCLITE_CSOCK_NAME"):
    os.environ["PCSCLITE_CSOCK_NAME"] = os.path.join(tempfile.mkdtemp(prefix="kiosk-ui-pcsc-"), "pcscd.comm")


class ScreenPort:
    """A flow port with nothing behind it: ``publish`` shows a view-model; intents are only recorded."""

    def __init__(self) -> None:
        self.listeners: list[Callable[[Any], None]] = []
        self.sent: list[Any] = []
        self.current: Any = None

    def subscribe(self, listener: Callable[[Any], None]) -> None:
        self.listeners.append(listener)
        if self.current is not None:
            listener(self.current)

    def publish(self, vm: Any) -> None:
        self.current = vm
        for listener in list(self.listeners):
            listener(vm)

    def send(self, intent: Any) -> None:
        self.sent.append(intent)


@pytest.fixture(scope="session")
def ui() -> Iterator[tuple[Any, ScreenPort]]:
    from screens.app import KioskApp, UiOptions
    from screens.driver import Driver

    port = ScreenPort()
    app = KioskApp(port, UiOptions(tech_hold_s=0.4))
    driver = Driver(app).start()
    app.ime_loader.wait()
    yield driver, port
    driver.stop()


@pytest.fixture(scope="module")
def flow_runtime(ui, tmp_path_factory) -> Iterator[tuple[Any, Any]]:
    """The session's window attached to a FlowRuntime for this module (data in a fresh directory);
    yields (driver, RecordingPort)."""
    from kiosk.assembly import assemble
    from sim.config import demo_config
    from sim.ui.journeys import RecordingPort

    driver, screen_port = ui
    flow = assemble(demo_config(data_dir=tmp_path_factory.mktemp("kiosk-data"))).runtime.start()
    port = RecordingPort(flow)
    driver.app.attach(port)
    try:
        yield driver, port
    finally:
        driver.app.attach(screen_port)
        flow.stop()
        time.sleep(1.5)  # pcscd notices the sim chip-card reader going away in its slot poll; the next module's reader is new
        driver.pump(2)
