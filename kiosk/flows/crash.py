"""Crash points for the kill tests: ``arm("<state>")`` or ``arm("enqueued:<n>")`` makes the process
``os._exit`` right there — no cleanup, no flush, like a power cut.

Why an explicit hook and not an environment variable: nothing outside the process's own code can
make a production terminal kill itself; only a test that imports this module and arms it in-process
(tests/flows/crash_child.py, in the forked child) does. Disarmed by default.
"""

from __future__ import annotations

import os

from kiosk.flows.states import FlowState

_armed: str | None = None


def arm(point: str | None) -> None:
    """Die at ``point`` (a FlowState value, or ``enqueued:<n>``); None disarms."""
    global _armed
    _armed = point


def crash_point(name: str) -> None:
    if _armed is not None and _armed == name:
        os._exit(137)


def crash_listener(source: FlowState, target: FlowState, reason: str) -> None:
    """FlowMachine listener: dies just after the checkpoint of ``target`` is written."""
    crash_point(target.value)
