"""TerminalApp: the whole terminal except the screens — flows, platform link, fleet, watchdog.

The flow layer runs on its own loop thread (``FlowRuntime``); the fleet agent and staged config
switches live on that same loop. The watchdog pings from its own thread only while both the UI loop
(``tick``) and the flow loop (a probe it puts on the loop) answer; headless, the flow loop alone.
A session boundary is the moment the attract screen comes back: only then is a staged item configuration applied (never during a
citizen's session) or a requested restart carried out. Remote commands that change what citizens
see (out_of_service / in_service, enter/exit_maintenance, hall_message) and required devices going
down or up re-draw the attract screen at once when nobody is served, else at the session's end
(the controller reads the mode whenever it shows the attract screen). Kivy is not imported here:
``kiosk run`` puts the screens on top, or runs headless.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.fleet.handlers import FleetHooks
from kiosk.fleet.mode import TerminalModeChanged
from kiosk.fleet.wiring import FleetServices
from kiosk.flows.maintenance import attract_notice
from kiosk.flows.port import FlowRuntime
from kiosk.flows.viewmodels import AttractVM, ViewModel
from kiosk.items.loader import load_catalog
from kiosk.settings.model import TerminalConfig
from kiosk.terminal.events import Event, StatusChanged
from kiosk.xfs.embedded import EmbeddedXfs

log = logging.getLogger(__name__)


class TerminalApp:
    def __init__(self, config: TerminalConfig, runtime: FlowRuntime, fleet: FleetServices, hooks: FleetHooks,
                 xfs: EmbeddedXfs | None = None) -> None:
        """Built by kiosk.assembly; the fleet's restart / reload hooks are this app's (screenshot is the UI's).
        ``xfs``: the XFS4IoT diagnostics service, started after the flow runtime and stopped before it."""
        self.config = config
        self.xfs = xfs
        self.runtime = runtime
        self.fleet = fleet
        self.exit_requested = threading.Event()
        hooks.restart, hooks.reload_config, hooks.session_active = self._restart_requested, self._reload_requested, self._serving
        self._unsubscribe: Callable[[], None] | None = None
        self._restart_pending = False  # a remote restart waits for the session boundary
        self._reload_pending = False  # so does a remote reload_config's catalog re-read

    def start(self, headless: bool) -> TerminalApp:
        self.runtime.start()
        self.fleet.watchdog.watch_flow_loop(self.runtime.loop, ui=not headless)  # before fleet.start() starts the pings
        if self.xfs is not None:
            self.xfs.start()
        self._call(self._start_fleet())
        self.runtime.subscribe(self._on_view)
        return self

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._call(self._stop_fleet())
        if self.xfs is not None:
            self.xfs.stop()
        self.runtime.stop()

    def tick(self) -> None:
        """The UI loop is alive (Kivy Clock, about once a second)."""
        self.fleet.watchdog.tick()

    # ----- on the runtime's loop -------------------------------------------------------------------
    def _call(self, coroutine: Any, timeout_s: float = 60.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.runtime.loop).result(timeout_s)

    async def _start_fleet(self) -> None:
        services = self.runtime.services
        assert services is not None
        services.maintenance = self.fleet.maintenance  # the flow layer's maintenance visits (kiosk.flows.maintenance)
        services.mode = self.fleet.mode  # remote out-of-service / maintenance and the hall message, on the attract screen
        self._unsubscribe = services.terminal.bus.subscribe(self._on_event, (TerminalModeChanged, StatusChanged))
        await self.fleet.start()

    async def _stop_fleet(self) -> None:
        await self.fleet.stop()

    def _reload_catalog(self) -> str:
        services, fleet = self.runtime.services, self.fleet
        if services is None:
            return "not started"
        services.catalog = load_catalog(fleet.configs.active_dir())  # the controller's search index follows the new catalog
        return f"{len(services.catalog.items)} item(s), {len(services.catalog.life_events)} life event(s)"

    def _on_view(self, vm: ViewModel) -> None:
        if isinstance(vm, AttractVM):  # a session boundary: nobody is being served
            self.runtime.loop.call_soon_threadsafe(self._at_boundary)

    def _on_event(self, _event: Event) -> None:
        """Any thread (device workers publish status changes): re-check the attract screen on the flow loop."""
        self.runtime.loop.call_soon_threadsafe(self._refresh_attract)

    def _refresh_attract(self) -> None:
        """Nobody served and the attract screen up: show the new notice now. During a citizen's session (or a
        technician's visit, or the login pad) nothing changes here; the session's end draws the attract screen anew."""
        controller, services = self.runtime.controller, self.runtime.services
        if controller is None or services is None or controller.session is not None or controller.maintenance.active:
            return
        view = controller.view
        if not isinstance(view, AttractVM):
            return
        closed, hall = attract_notice(services)
        if (view.out_of_service_reason, view.hall_message) != (closed, hall):
            controller.attract()

    def _serving(self) -> bool:
        controller = self.runtime.controller
        return controller is not None and (controller.session is not None or controller.maintenance.active)

    def _reload_requested(self) -> str:
        """The remote ``reload_config``: re-read the catalog now when nobody is served, else at the session's end."""
        if self._serving():
            self._reload_pending = True
            return "catalog reload deferred to the end of the current session"
        return self._reload_catalog()

    def _restart_requested(self) -> None:
        """The remote ``restart`` (acknowledged already): at once when nobody is served, else when the session ends."""
        self._restart_pending = True
        if not self._serving():
            log.info("remote restart: exiting for systemd to restart the app")
            self.exit_requested.set()
        else:
            log.info("remote restart deferred to the end of the current session")

    def _at_boundary(self) -> None:
        if self._restart_pending:
            log.info("remote restart at the session boundary: exiting for systemd to restart the app")
            self.exit_requested.set()
        outcome = self.fleet.at_session_boundary(session_active=False)
        if outcome == "applied" or self._reload_pending:
            self._reload_pending = False
            log.info("item configuration %s: %s", "applied" if outcome == "applied" else "reloaded", self._reload_catalog())
        if self.fleet.restart_due(session_active=False):
            log.info("nightly restart window: exiting for systemd to restart the app")
            self.exit_requested.set()
