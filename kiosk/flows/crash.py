"""Crash points for the kill tests: ``KIOSK_FLOW_CRASH_AT=<state>`` or ``enqueued:<n>`` makes the
process ``os._exit`` right there — no cleanup, no flush, like a power cut. Unset in production."""

from __future__ import annotations

import os

from kiosk.flows.states import FlowState

CRASH_ENV = "KIOSK_FLOW_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os._exit(137)


def crash_listener(source: FlowState, target: FlowState, reason: str) -> None:
    """FlowMachine listener: dies just after the checkpoint of ``target`` is written."""
    crash_point(target.value)
