"""The card monitor on its own: an unexpected error is reported and the loop starts over."""

from __future__ import annotations

import threading
import time

from drivers.chipcard.monitor import CardMonitor
from sim.devices.chipcard.pcscd import PcscDaemon
from tests.chipcard.conftest import READER


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.changed = threading.Event()

    def _add(self, kind: str, value: object) -> None:
        self.calls.append((kind, value))
        self.changed.set()

    def service_changed(self, up: bool, detail: str) -> None:
        self._add("service", up)

    def readers_changed(self, readers: list[str]) -> None:
        self._add("readers", readers)

    def card_changed(self, reader: str, present: bool, atr: bytes) -> None:
        self._add("card", present)

    def monitor_failed(self, error: str) -> None:
        self._add("failed", error)


def _wait_for(recorder: Recorder, predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate(recorder.calls):
        assert time.monotonic() < deadline, recorder.calls
        recorder.changed.wait(0.05)
        recorder.changed.clear()


def test_an_unexpected_error_is_reported_and_the_monitor_carries_on(pcscd: PcscDaemon) -> None:
    blown = []

    def wanted(name: str) -> bool:
        if not blown:
            blown.append(name)
            raise RuntimeError("boom in the reader filter")
        return name == READER

    recorder = Recorder()
    monitor = CardMonitor(recorder, wanted, poll_ms=50, retry_s=0.05)
    monitor.start()
    try:
        _wait_for(recorder, lambda calls: ("readers", [READER]) in calls and ("service", True) in calls)
        assert recorder.calls[0] == ("failed", "RuntimeError: boom in the reader filter")
        assert monitor.alive
    finally:
        monitor.stop()
    assert not monitor.alive


def test_an_instant_swap_is_a_removal_and_an_insertion(pcscd: PcscDaemon, insert) -> None:  # type: ignore[no-untyped-def]
    """A card swapped for another at once (a technician's hand is quicker than two status calls) must still
    tell the listener the card changed, or a wait for MediaInserted never reads the new card."""
    insert("zhangsan")
    recorder = Recorder()
    monitor = CardMonitor(recorder, lambda name: name == READER, poll_ms=1000, retry_s=0.05)
    monitor.start()
    try:
        _wait_for(recorder, lambda calls: ("card", True) in calls)
        before = len(recorder.calls)
        insert(technician="tech01")  # remove + insert with no pause between
        _wait_for(recorder, lambda calls: calls[before:].count(("card", True)) >= 1, timeout=10)
        assert ("card", False) in recorder.calls[before:], recorder.calls
    finally:
        monitor.stop()
