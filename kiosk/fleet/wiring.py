"""Fleet management and maintenance over the app's store, terminal and platform link (built by kiosk.assembly).

    configs = ConfigBundles(data_dir / "config-bundles", builtin_items, public_key, audit=audit)
    catalog = load_catalog(configs.active_dir())             # the running item configuration, loaded once
    fleet = build_fleet(config, terminal, store=store, audit=audit, configs=configs, link=link, hooks=hooks)
    await fleet.start()                                      # heartbeat task + watchdog thread + READY=1
    …  Kivy Clock every second: fleet.watchdog.tick()
    …  at every session boundary: if fleet.at_session_boundary(session_active=False) == "applied": reload the catalog
    session = fleet.maintenance()                            # the maintenance screens' API
    await fleet.stop()

Nothing here imports kivy or the flow layer: the app asks the flows whether a session runs and
tells us; we never ask them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.fleet.agent import FleetAgent
from kiosk.fleet.backoff import Backoff
from kiosk.fleet.commands import FLEET, CommandLog
from kiosk.fleet.configs import ConfigBundles, HealthCheck
from kiosk.fleet.handlers import FleetHooks
from kiosk.fleet.mode import TerminalMode
from kiosk.log_plan import LogPlan
from kiosk.maint.auth import MAINT, MaintenanceAuth
from kiosk.maint.counters import DeviceCounters
from kiosk.maint.session import MaintenanceSession
from kiosk.store import AuditTrail, Store
from kiosk.watchdog import Watchdog


@dataclass
class FleetServices:
    config: Any
    terminal: Any
    store: Store
    audit: AuditTrail
    mode: TerminalMode
    counters: DeviceCounters
    configs: ConfigBundles
    auth: MaintenanceAuth
    watchdog: Watchdog
    agent: FleetAgent | None = None
    log_dir: Path | None = None
    outbox: Any = None  # the link's Outbox: while its key is unavailable no application is accepted
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.mode.snapshot.mode == "starting":  # nothing remembered: serve; a remote out_of_service survives restarts
            self.mode.set_mode("in_service", remember=False)
        if self.outbox is not None and self.outbox.unavailable:  # sealed applications without their key: accept none
            self.audit.append("terminal", "outbox.unavailable", reason=self.outbox.unavailable[:300])
            self.mode.gate_on_outbox(self.outbox)
        if self.agent is not None and self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self.agent.run(self._stop), name="fleet-heartbeat")
        self.watchdog.start()
        self.watchdog.ready()

    async def stop(self) -> None:
        self.watchdog.stopping()
        self.watchdog.stop()
        self._stop.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self.counters.close()

    def at_session_boundary(self, session_active: bool) -> str:
        """Apply a staged configuration when no citizen is in a session: none | deferred | applied | rolled_back."""
        return self.configs.apply_staged_if_idle(session_active)

    def restart_due(self, session_active: bool) -> bool:
        """Inside the (remotely set) nightly window and idle: the app may exit for systemd to restart it."""
        return self.agent is not None and self.agent.restart_due(session_active)

    def maintenance(self) -> MaintenanceSession:
        return MaintenanceSession(self.terminal, self.auth, audit=self.audit, mode=self.mode, counters=self.counters,
                                  configs=self.configs, agent=self.agent, log_dir=self.log_dir)


def open_config_bundles(config: Any, builtin_items: Path, audit: AuditTrail, health_check: HealthCheck | None = None) -> ConfigBundles:
    """The signed item configurations under ``data_dir``; before the first one, the catalog shipped with the software."""
    return ConfigBundles(config.terminal.data_path() / "config-bundles", builtin_items, config.platform.bundle_public_key, audit=audit,
                         health_check=health_check, store=audit.store)


def build_fleet(config: Any, terminal: Any, *, store: Store, audit: AuditTrail, configs: ConfigBundles, link: Any = None,
                hooks: FleetHooks | None = None, software_version: str = "0.1.0") -> FleetServices:
    """Everything fleet and maintenance need, over the app's store, terminal, platform link and configurations."""
    data_dir = config.terminal.data_path()
    data_dir.mkdir(parents=True, exist_ok=True)
    for area in (FLEET, MAINT):
        area.apply(store.db())
    mode = TerminalMode(terminal.bus, settings=CommandLog(store))
    mode.restore()
    counters = DeviceCounters(terminal.bus, store)
    auth = MaintenanceAuth.from_config(config.maintenance, store=store, audit=audit)
    watchdog = Watchdog(runners=lambda: [d.runner for d in terminal.devices.values()])
    log_file = LogPlan.of(config).file
    log_dir = log_file.parent if log_file is not None else None  # what the remote upload_logs command sends
    agent = None
    if link is not None:
        source = None
        if config.platform.bundle_url:
            from kiosk.fleet.static_source import StaticBundleSource

            source = StaticBundleSource(config.platform.bundle_url, config.terminal.id)
        agent = FleetAgent(link.client, configs, mode=mode, terminal=terminal, outbox=link.outbox, counters=counters,
                           commands=CommandLog(store), hooks=hooks, audit=audit, software_version=software_version, data_dir=data_dir,
                           log_dir=log_dir, policy=Backoff(period_s=config.platform.heartbeat_s), bundle_source=source,
                           alerts=[configs.alerts, store.alerts, audit.alerts])
        configs.on_applied.append(lambda _version: link.outbox.release_held())  # the catalog sync a held application waits for
    return FleetServices(config, terminal, store, audit, mode, counters, configs, auth, watchdog, agent, log_dir,
                         outbox=link.outbox if link is not None else None)
