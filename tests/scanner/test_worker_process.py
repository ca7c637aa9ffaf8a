"""libsane runs in a worker process: a dead or wedged worker fails only its command, the next one works.

Why: a libsane reader thread canceled inside malloc can freeze its whole process; the kiosk must
survive that. These tests kill (SIGKILL) or freeze (SIGSTOP) the real worker in the middle of a
slow page on the test backend.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

from kiosk.terminal.completion import CompletionCode, RecoveryAction
from kiosk.terminal.status import DeviceState
from sim.devices.scanner.emulator import SimScanner


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def _mid_page(device: SimScanner) -> int:
    """Wait until a scan command is running inside the worker; return the worker's pid."""
    for _ in range(200):
        if device.runner.running() is not None:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.4)  # a slow 300 dpi page takes minutes: we are inside sane_read by now
    pid = device.worker_pid
    assert pid is not None and pid != os.getpid()
    return pid


async def test_a_killed_worker_fails_the_scan_cleanly_and_the_next_scan_works(sim_scanner: SimScanner) -> None:
    sim_scanner.emulator.set_slow(True)
    scan = asyncio.ensure_future(sim_scanner.scan(20.0, mode="color", dpi=300))
    pid = await _mid_page(sim_scanner)
    started = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    done = await scan
    assert time.monotonic() - started < 2.0
    assert done.code is CompletionCode.HARDWARE_ERROR and done.action is RecoveryAction.RESET
    assert "worker process died (signal 9)" in done.description
    assert sim_scanner.status().state is DeviceState.HARDWARE_ERROR

    sim_scanner.emulator.set_slow(False)
    again = await sim_scanner.scan(mode="gray", dpi=50)
    assert again.ok, again.description
    assert sim_scanner.worker_pid not in (None, pid)
    assert sim_scanner.status().state is DeviceState.ONLINE


async def test_a_frozen_worker_is_killed_at_the_deadline_and_replaced(sim_scanner: SimScanner) -> None:
    sim_scanner.emulator.set_slow(True)
    started = time.monotonic()
    scan = asyncio.ensure_future(sim_scanner.scan(1.0, mode="color", dpi=300))
    pid = await _mid_page(sim_scanner)
    os.kill(pid, signal.SIGSTOP)  # like a libsane deadlock: alive, silent, deaf to sane_cancel
    done = await scan
    assert done.code is CompletionCode.TIMEOUT, done.description
    assert time.monotonic() - started < 1.0 + 1.5  # deadline + the worker's grace, before the runner's
    for _ in range(300):  # the runner answers at the deadline; the kill follows within the grace
        if not _exists(pid):
            break
        await asyncio.sleep(0.01)
    assert not _exists(pid)  # killed and reaped, not left behind

    sim_scanner.emulator.set_slow(False)
    again = await sim_scanner.scan(mode="gray", dpi=50)
    assert again.ok, again.description
    assert sim_scanner.worker_pid not in (None, pid)
