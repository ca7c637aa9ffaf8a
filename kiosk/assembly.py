"""The composition root: the one place a terminal is built from its config.

    assembly = assemble(config, names=names)           # everything constructed, nothing started
    assembly.app.start(headless=True)                  # devices opened, fleet and watchdog running
    …
    assembly.app.stop()

Order matters and is written once here: the store and audit trail first (everything records into
them), the devices (their event bus is the terminal's), the signed item configurations and from them
the catalog (loaded once), the platform endpoint (a remote platform, or a plugin that needs the catalog),
the platform link, fleet + maintenance, the flows, and the app that ties fleet and flows together.
No environment variable and no path relative to a checkout decides any of it: only ``config`` and the
content shipped inside the package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.app import TerminalApp
from kiosk.content import faq_dir, items_dir
from kiosk.fleet.handlers import FleetHooks
from kiosk.fleet.wiring import FleetServices, build_fleet, open_config_bundles
from kiosk.flows.availability import of_terminal
from kiosk.flows.port import FlowRuntime
from kiosk.flows.wiring import FlowServices
from kiosk.items.loader import Catalog, load_catalog
from kiosk.privacy import SensitiveValues
from kiosk.security.keydir import key_path
from kiosk.security.sealed import SealedBox
from kiosk.settings.model import TerminalConfig
from kiosk.store.audit import AuditTrail
from kiosk.store.database import Store
from kiosk.terminal.facade import Terminal
from kiosk.terminal.platform.endpoint import open_platform
from kiosk.terminal.platform.link import open_link
from kiosk.xfs.embedded import EmbeddedXfs

SOFTWARE_VERSION = "0.1.0"


@dataclass(frozen=True)
class Content:
    """What ships with the software: the built-in item catalog (until a signed configuration replaces it) and the FAQ."""

    items: Path
    faq: Path

    @classmethod
    def builtin(cls) -> Content:
        return cls(items_dir(), faq_dir())


@dataclass
class Assembly:
    config: TerminalConfig
    store: Store
    audit: AuditTrail
    terminal: Terminal
    services: FlowServices
    fleet: FleetServices
    runtime: FlowRuntime
    app: TerminalApp

    @property
    def catalog(self) -> Catalog:
        return self.services.catalog


def assemble(config: TerminalConfig, *, names: SensitiveValues | None = None, content: Content | None = None,
             catalog: Catalog | None = None, screenshot: Callable[[], bytes | None] | None = None, elder: bool = False) -> Assembly:
    """Construct the whole terminal from ``config``; nothing opens a device or a socket until ``app.start``
    (except a platform plugin such as the simulators' embedded emulator, which listens once built).
    ``catalog`` replaces the running item configuration (tests and simulations that validated one already)."""
    content = content or Content.builtin()
    names = names or SensitiveValues()
    data_dir = config.terminal.data_path()
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(data_dir / "kiosk.db")
    audit = AuditTrail(store)
    terminal = Terminal(config)
    terminal.supervise()  # started by terminal.start() (the flow runtime's open), awaited by terminal.stop()
    configs = open_config_bundles(config, content.items, audit)
    catalog = catalog or load_catalog(configs.active_dir())
    link = open_link(config, open_platform(config, catalog), bus=terminal.bus, software_version=SOFTWARE_VERSION)
    link.worker.audit = audit  # delivered and rejected applications are audited (the link is built before the fleet)
    terminal.services.update(platform=link.client, outbox=link.outbox, link=link)
    hooks = FleetHooks(screenshot=screenshot, can_identify=lambda: of_terminal(terminal).in_service)
    fleet = build_fleet(config, terminal, store=store, audit=audit, configs=configs, link=link, hooks=hooks,
                        software_version=SOFTWARE_VERSION)
    services = FlowServices(config, terminal, link, store, SealedBox.from_file(key_path(data_dir, "flow.key")), audit, catalog, names,
                            data_dir, content.faq)
    runtime = FlowRuntime(services, elder=elder)
    xfs = EmbeddedXfs(config.xfs, runtime, data_dir, SOFTWARE_VERSION) if config.xfs.enabled else None
    app = TerminalApp(config, runtime, fleet, hooks, xfs=xfs)
    return Assembly(config, store, audit, terminal, services, fleet, runtime, app)


async def open_flow_services(config: TerminalConfig, *, names: SensitiveValues | None = None, catalog: Catalog | None = None,
                             start_devices: bool = True) -> FlowServices:
    """The flow layer without the app around it (simulations, crash recovery): assembled, devices opened.
    The caller owns ``aclose()``."""
    services = assemble(config, names=names, catalog=catalog).services
    if start_devices:
        await services.start_devices()
    return services
