"""The watchdog pings systemd only while the UI loop ticks, the flow loop answers and no runner is hung.

Pings are captured on a real AF_UNIX datagram socket set as NOTIFY_SOCKET, exactly as systemd receives them.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.watchdog import Watchdog, notify, runner_hung, watchdog_interval_s


class NotifySink:
    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.05)
        self.path = str(path)
        self.messages: list[tuple[float, str]] = []

    def drain(self, for_s: float) -> list[tuple[float, str]]:
        end = time.monotonic() + for_s
        while time.monotonic() < end:
            try:
                self.messages.append((time.monotonic(), self.sock.recv(4096).decode()))
            except TimeoutError:
                pass
        return self.messages

    def pings(self, after: float = 0.0) -> int:
        return sum(1 for at, m in self.messages if m == "WATCHDOG=1" and at >= after)


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[NotifySink]:
    s = NotifySink(tmp_path / "notify.sock")
    yield s
    s.sock.close()


def test_interval_from_systemd_environment() -> None:
    import os

    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) == 15.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None  # meant for another process
    assert watchdog_interval_s({}) is None


def test_ready_and_abstract_socket_names(sink: NotifySink) -> None:
    assert notify("READY=1\nSTATUS=serving", {"NOTIFY_SOCKET": sink.path})
    assert notify("READY=1", {}) is False  # not under systemd: nothing sent, no error
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    abstract.bind(f"\0kiosk-test-notify-{id(abstract)}")
    abstract.settimeout(1)
    assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + abstract.getsockname()[1:].decode()})
    assert abstract.recv(100) == b"WATCHDOG=1"
    abstract.close()
    assert sink.drain(0.1)[0][1] == "READY=1\nSTATUS=serving"


def test_hung_ui_loop_stops_the_pings(sink: NotifySink) -> None:
    dog = Watchdog(0.05, stale_s=0.3, env={"NOTIFY_SOCKET": sink.path}).start()
    hang = threading.Event()
    stop = threading.Event()

    def ui_loop() -> None:  # a main loop that ticks every 20 ms until a handler blocks it
        while not stop.is_set():
            dog.tick()
            if hang.is_set():
                stop.wait()  # a handler that never returns: the loop is frozen
            time.sleep(0.02)

    loop = threading.Thread(target=ui_loop, daemon=True)
    loop.start()
    try:
        sink.drain(0.6)
        assert sink.pings() >= 5  # alive: pinging at ~20/s
        hang.set()
        hung_at = time.monotonic()
        sink.drain(1.2)
        # after the stale limit (0.3 s) no ping arrives any more; systemd would kill and restart us
        assert sink.pings(after=hung_at + 0.45) == 0
        assert any(m.startswith("STATUS=unhealthy: UI loop silent") for _, m in sink.messages)
    finally:
        stop.set()
        dog.stop()
        loop.join(2)


def test_hung_device_runner_stops_the_pings(sink: NotifySink) -> None:
    token = SimpleNamespace(deadline=time.monotonic() + 0.2)
    job: list[tuple[str, float]] = []  # what the runner reports through its public ``running()``
    runner = SimpleNamespace(device="printer", grace_s=0.1, running=lambda: job[0] if job else None)
    dog = Watchdog(0.05, stale_s=10, runners=lambda: [runner], env={"NOTIFY_SOCKET": sink.path}, runner_slack_s=0.2).start()
    try:
        dog.tick()
        sink.drain(0.3)
        assert sink.pings() >= 3
        job.append(("print_document", token.deadline))  # a job that never ends
        assert runner_hung(runner, now=token.deadline + 0.05, slack_s=0.2) is None  # within grace + slack: fine
        assert runner_hung(runner, now=token.deadline + 1.0, slack_s=0.2) == "print_document"
        sink.drain(0.6)  # receive (and timestamp) what was sent before the runner counts as hung
        marker = time.monotonic()
        dog.tick()
        sink.drain(0.4)
        assert sink.pings(after=marker) == 0
        assert any("device printer hung in print_document" in m for _, m in sink.messages)
        job.clear()  # the runner recovers → pings resume
        marker = time.monotonic()
        dog.tick()
        sink.drain(0.3)
        assert sink.pings(after=marker) >= 2
    finally:
        dog.stop()


def test_real_runner_is_not_hung_while_working() -> None:
    from kiosk.terminal.events import EventBus
    from kiosk.terminal.runner import CommandRunner
    from kiosk.terminal.status import DeviceClass

    runner = CommandRunner("printer", DeviceClass.RECEIPT_PRINTER, EventBus())
    assert runner_hung(runner) is None
    runner.close()


def test_no_watchdog_requested_means_no_thread() -> None:
    dog = Watchdog(env={}).start()
    assert dog._thread is None
    assert dog.ping_once() is True  # healthy; notify is a no-op without NOTIFY_SOCKET


async def test_asyncio_loop_as_the_only_loop(sink: NotifySink) -> None:
    import asyncio

    dog = Watchdog(0.05, env={"NOTIFY_SOCKET": sink.path}).watch_flow_loop(asyncio.get_running_loop(), ui=False).start()
    try:
        await asyncio.sleep(0.4)  # the loop runs the probes: healthy without any tick (headless)
        assert dog.healthy() == (True, "")
        time.sleep(0.2)  # a blocking call on the event loop: the loop is frozen, the probe cannot run
        assert dog.healthy() == (False, "flow loop did not answer within the watchdog interval")
        await asyncio.sleep(0.2)
        assert dog.healthy() == (True, "")
    finally:
        dog.stop()


def test_a_stuck_receiver_never_hangs_notify(sink: NotifySink) -> None:
    sent = 0
    while notify("WATCHDOG=1", {"NOTIFY_SOCKET": sink.path}):  # nobody reads: the receive queue fills up
        sent += 1
        assert sent < 1000
    started = time.monotonic()
    assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": sink.path}) is False  # gives up instead of blocking the thread
    assert sent > 0 and time.monotonic() - started < 3
