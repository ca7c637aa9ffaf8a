"""Issue 17 point 6: WATCHDOG=1 only while BOTH the UI loop and the flow loop answer within the interval.

Pings land on a real AF_UNIX datagram socket set as NOTIFY_SOCKET, as systemd receives them. A loop is
frozen the way a bug freezes it: a blocking call (``time.sleep``) inside a coroutine on the flow loop, or
a handler that never returns on the UI thread. Within two intervals no ping arrives; after the thaw
pings resume. The last tests do it on the real terminal (``assemble`` + ``TerminalApp.start``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.watchdog import Watchdog
from tests.systemd.test_watchdog import NotifySink

INTERVAL_S = 0.1
FREEZE_S = 1.5
SLACK_S = 0.3  # thread scheduling on a loaded 2-core machine: the bound is "two intervals", plus this


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[NotifySink]:
    s = NotifySink(tmp_path / "notify.sock")
    yield s
    s.sock.close()


@pytest.fixture
def flow_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An asyncio loop on its own thread, as FlowRuntime runs the flow layer."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="flow-runtime", daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def freeze_flow_loop(loop: asyncio.AbstractEventLoop, seconds: float) -> tuple[threading.Event, threading.Event]:
    """Schedule a coroutine that blocks the loop thread; returns (frozen, thawed) events set from inside it."""
    frozen, thawed = threading.Event(), threading.Event()

    async def blocking() -> None:
        frozen.set()
        time.sleep(seconds)  # the bug under test: a blocking call on the event loop
        thawed.set()

    asyncio.run_coroutine_threadsafe(blocking(), loop)
    assert frozen.wait(5)
    return frozen, thawed


def _pings_between(sink: NotifySink, start: float, end: float) -> int:
    return sum(1 for at, m in sink.messages if m == "WATCHDOG=1" and start <= at <= end)


def test_frozen_flow_loop_withholds_pings_then_they_resume(sink: NotifySink, flow_loop: asyncio.AbstractEventLoop) -> None:
    dog = Watchdog(INTERVAL_S, env={"NOTIFY_SOCKET": sink.path}).watch_flow_loop(flow_loop, ui=False).start()
    try:
        sink.drain(0.5)
        assert sink.pings() >= 3  # headless: the flow loop alone speaks for the app
        _, thawed = freeze_flow_loop(flow_loop, FREEZE_S)
        frozen_at = time.monotonic()
        sink.drain(FREEZE_S + 0.1)
        assert thawed.is_set()
        thawed_at = frozen_at + FREEZE_S
        assert _pings_between(sink, frozen_at + 2 * INTERVAL_S + SLACK_S, thawed_at - 0.05) == 0
        assert any(m == "STATUS=unhealthy: flow loop did not answer within the watchdog interval" for _, m in sink.messages)
        marker = time.monotonic()
        sink.drain(0.6)
        assert sink.pings(after=marker) >= 2  # the loop answers again: pings resume
    finally:
        dog.stop()


def test_frozen_ui_loop_withholds_pings_though_the_flow_loop_answers(sink: NotifySink,
                                                                      flow_loop: asyncio.AbstractEventLoop) -> None:
    dog = Watchdog(INTERVAL_S, stale_s=INTERVAL_S, env={"NOTIFY_SOCKET": sink.path}).watch_flow_loop(flow_loop).start()
    hang, stop = threading.Event(), threading.Event()

    def ui_loop() -> None:  # the Kivy Clock: ticks every 20 ms until a handler blocks it
        while not stop.is_set():
            dog.tick()
            while hang.is_set() and not stop.is_set():
                time.sleep(0.01)  # a handler that does not return
            time.sleep(0.02)

    ui = threading.Thread(target=ui_loop, daemon=True)
    ui.start()
    try:
        sink.drain(0.5)
        assert sink.pings() >= 3
        hang.set()
        hung_at = time.monotonic()
        sink.drain(FREEZE_S)
        assert sink.pings(after=hung_at + 2 * INTERVAL_S + SLACK_S) == 0  # the flow loop's answers alone are not enough
        assert any(m.startswith("STATUS=unhealthy: UI loop silent") for _, m in sink.messages)
        hang.clear()
        marker = time.monotonic()
        sink.drain(0.6)
        assert sink.pings(after=marker) >= 2
    finally:
        stop.set()
        ui.join(2)
        dog.stop()


def test_a_closed_flow_loop_never_answers(sink: NotifySink) -> None:
    loop = asyncio.new_event_loop()
    dog = Watchdog(INTERVAL_S, env={"NOTIFY_SOCKET": sink.path}).watch_flow_loop(loop, ui=False)
    loop.close()  # the runtime thread died and its loop is gone
    assert dog.ping_once() is False
    assert dog.ping_once() is False


def _terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interval_s: float) -> object:
    """The real terminal as ``kiosk run`` builds it, under a systemd-like environment (the watchdog reads it)."""
    from kiosk.assembly import assemble
    from sim.config import demo_config

    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify.sock"))
    monkeypatch.setenv("WATCHDOG_USEC", str(int(interval_s * 2_000_000)))
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    return assemble(demo_config(data_dir=tmp_path / "data")).app


def test_real_terminal_headless_frozen_flow_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.app import TerminalApp

    sink = NotifySink(tmp_path / "notify.sock")
    app = _terminal(tmp_path, monkeypatch, 0.2)
    assert isinstance(app, TerminalApp)
    app.start(headless=True)
    try:
        sink.drain(1.0)
        assert any(m.startswith("READY=1") for _, m in sink.messages)
        assert sink.pings() >= 2
        _, thawed = freeze_flow_loop(app.runtime.loop, 2.0)
        frozen_at = time.monotonic()
        sink.drain(2.1)
        assert thawed.is_set()
        assert _pings_between(sink, frozen_at + 2 * 0.2 + SLACK_S, frozen_at + 2.0 - 0.05) == 0
        assert any("flow loop did not answer" in m for _, m in sink.messages)
        marker = time.monotonic()
        sink.drain(1.0)
        assert sink.pings(after=marker) >= 2
    finally:
        app.stop()
        sink.sock.close()


def test_real_terminal_with_screens_needs_the_ui_tick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not headless: the flow runtime alone does not keep the watchdog fed; ``TerminalApp.tick`` (Kivy Clock) must too."""
    from kiosk.app import TerminalApp

    sink = NotifySink(tmp_path / "notify.sock")
    app = _terminal(tmp_path, monkeypatch, 0.2)
    assert isinstance(app, TerminalApp)
    app.fleet.watchdog.stale_s = 0.15  # a short stand-in for the production floor of 5 s
    app.start(headless=False)
    stop = threading.Event()

    def clock() -> None:
        while not stop.wait(0.05):
            app.tick()

    try:
        sink.drain(1.0)
        assert sink.pings() == 0  # no UI has ticked yet: withheld
        ticker = threading.Thread(target=clock, daemon=True)
        ticker.start()
        marker = time.monotonic()
        sink.drain(1.0)
        assert sink.pings(after=marker) >= 2
    finally:
        stop.set()
        app.stop()
        sink.sock.close()
