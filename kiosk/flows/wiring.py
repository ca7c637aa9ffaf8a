"""FlowServices: everything a flow needs, built once per process by the composition root (kiosk.assembly).

Why one object: the controller, the citizen services and crash recovery all need the same Terminal,
platform link (client + durable outbox + delivery worker), store, sealed box, audit trail and item
catalog; passing one set of collaborators keeps their constructors short and tests can build it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.flows.caches import FlowCaches
from kiosk.items.loader import Catalog
from kiosk.privacy import SensitiveValues
from kiosk.security.sealed import SealedBox
from kiosk.settings.model import TerminalConfig
from kiosk.store.audit import AuditTrail
from kiosk.store.database import Store
from kiosk.terminal.facade import Terminal
from kiosk.terminal.platform.link import PlatformLink

if TYPE_CHECKING:
    from kiosk.fleet.mode import TerminalMode
    from kiosk.maint.session import MaintenanceSession

log = logging.getLogger(__name__)


@dataclass
class FlowServices:
    config: TerminalConfig
    terminal: Terminal
    link: PlatformLink
    store: Store
    box: SealedBox
    audit: AuditTrail
    catalog: Catalog
    names: SensitiveValues
    data_dir: Path
    faq_dir: Path
    maintenance: Callable[[], MaintenanceSession] | None = None  # the fleet's maintenance(): technician visits (kiosk.flows.maintenance)
    mode: TerminalMode | None = None  # the fleet's remote out-of-service / maintenance mode and hall message (None: always open)
    caches: FlowCaches = field(default_factory=FlowCaches)  # item index, district table, FAQ knowledge base: built lazily

    @property
    def sessions_root(self) -> Path:
        return self.data_dir / "sessions"

    @property
    def district(self) -> str:
        return self.config.terminal.district_code

    def scrub_stores(self) -> None:
        """After a session wipe: every store that held the session's personal data truncates its WAL
        (secure_delete is on for their connections), so no deleted row survives in a WAL frame or a free page."""
        self.store.scrub()
        self.link.outbox.scrub()

    async def start_devices(self) -> None:
        """Open every device; one that does not open stays with a status saying why (the flows route around it)."""
        for cls, result in (await self.terminal.start()).items():
            if not result.ok:
                log.warning("device %s unavailable for flows: %s", cls.value, result.description)

    async def aclose(self) -> None:
        await self.terminal.stop()
        await self.link.aclose()
        self.store.close()
