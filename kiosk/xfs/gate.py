"""When the XFS4IoT service may answer: never while a citizen is being served, unless a technician is inside.

Why the service must know: a diagnostics tool that reads the card reader or prints a test line while a
citizen stands at the terminal would take the device from the flow mid-step. So every connection and
every command asks the gate first, and an open connection is closed (1013, reason given) the moment a
citizen session starts.

Where the state comes from:
- in the kiosk process (``[xfs] enabled = true``, started by the composition root): ``FlowSessionState``
  reads the FlowRuntime's controller — a citizen session exists, or a technician is logged in to
  maintenance mode (logging in ends and wipes any citizen session first, kiosk/flows/maintenance.py);
- standalone (``kiosk xfs serve`` opens the Terminal itself): ``StoppedKiosk``. The devices are ours
  alone, so no citizen can be being served; the device ports would be busy if a kiosk ran.

A remote "maintenance" terminal mode (kiosk/fleet/mode.py) does not open the service by itself: it keeps
new citizens out, but the one being served finishes first, and so must the diagnostics tool wait.
"""

from __future__ import annotations

from typing import Any, Protocol

CITIZEN_SERVED = "a citizen is being served: the XFS4IoT service opens again when the session ends or a technician logs in"


class SessionState(Protocol):
    def citizen_served(self) -> bool: ...
    def in_maintenance(self) -> bool: ...


class StoppedKiosk:
    """The standalone service: the Terminal was opened by ``kiosk xfs serve``, no flow runs."""

    def citizen_served(self) -> bool:
        return False

    def in_maintenance(self) -> bool:
        return False


class FlowSessionState:
    """The session state of a running kiosk, read from its FlowRuntime (any thread: two attribute reads)."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime  # kiosk.flows.port.FlowRuntime

    def citizen_served(self) -> bool:
        controller = self.runtime.controller
        return controller is not None and controller.session is not None

    def in_maintenance(self) -> bool:
        controller = self.runtime.controller
        return controller is not None and bool(controller.maintenance.active)


def refusal(state: SessionState) -> str:
    """Why the service may not answer now ("" = it may)."""
    if state.in_maintenance():
        return ""
    return CITIZEN_SERVED if state.citizen_served() else ""
