"""FlowServices: everything a flow needs, built once per process from the terminal config.

Why one object: the controller, the citizen services and crash recovery all need the same Terminal,
platform link (client + durable outbox + delivery worker), store, sealed box, audit trail and item
catalog; passing one frozen bundle keeps their constructors short and tests can build it once.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.items.loader import Catalog, load_catalog
from kiosk.privacy import SensitiveValues
from kiosk.security.sealed import SealedBox
from kiosk.settings.model import TerminalConfig
from kiosk.store.audit import AuditTrail
from kiosk.store.database import Store
from kiosk.terminal.facade import Terminal
from kiosk.terminal.platform.link import PlatformLink, open_link

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]


def items_dir() -> Path:
    return Path(os.environ.get("KIOSK_ITEMS_DIR") or REPO / "config" / "items")


def faq_dir() -> Path:
    return Path(os.environ.get("KIOSK_FAQ_DIR") or REPO / "config" / "faq")


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
    extras: dict[str, Any] = field(default_factory=dict)  # knowledge base, district table … built lazily

    @property
    def sessions_root(self) -> Path:
        return self.data_dir / "sessions"

    @property
    def district(self) -> str:
        return self.config.terminal.district_code

    async def aclose(self) -> None:
        await self.terminal.stop()
        await self.link.aclose()
        self.store.close()
        _join_scene_threads()


def _join_scene_threads(timeout_s: float = 10.0) -> None:
    """Workaround (reported to the lead): the doccam emulator draws its first scene on an unjoined
    daemon thread inside OpenCV; a process exiting while it runs aborts ("terminate called…", rc 134)."""
    import threading

    for thread in threading.enumerate():
        if thread.name == "doccam-emulator-scene" and thread.is_alive():
            thread.join(timeout_s)


async def open_services(config: TerminalConfig, *, names: SensitiveValues | None = None, catalog: Catalog | None = None,
                        start_devices: bool = True) -> FlowServices:
    """Build and start devices and the platform link; the caller owns ``aclose()``."""
    data_dir = config.terminal.data_path()
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(data_dir / "kiosk.db")
    terminal = Terminal(config)
    link = open_link(config, bus=terminal.bus)
    terminal.services.update(platform=link.client, outbox=link.outbox, link=link)
    services = FlowServices(config, terminal, link, store, SealedBox.from_file(data_dir / "flow.key"), AuditTrail(store),
                            catalog or load_catalog(items_dir()), names or SensitiveValues(), data_dir)
    if start_devices:
        results = await terminal.start()
        for cls, result in results.items():
            if not result.ok:
                log.warning("device %s unavailable for flows: %s", cls.value, result.description)
    return services


def publish_catalog_to_embedded(services: FlowServices) -> int:
    """Embedded platform only: list this terminal's catalog items in the emulator's item table.

    The emulator seeds its own demo items (kiosk/platform/emulator/seed/items.json), whose codes
    differ from config/items; without this the demo could not submit catalog items. A real platform
    already knows every 事项 in 全渝通办, so nothing like this runs against it.
    """
    emulator = services.link.emulator
    if emulator is None:
        return 0
    import json

    from kiosk.flows.submit import PLATFORM_MODE
    from kiosk.items.vocab import CATEGORIES

    rows = [{"code": item.code, "name": item.name, "department": item.department, "category": CATEGORIES.get(item.category, item.category),
             "modes": json.dumps(sorted({PLATFORM_MODE[m] for m in item.handling_modes})),
             "guide": json.dumps({"conditions": list(item.conditions), "time_limit": item.time_limits.promised.label()}, ensure_ascii=False)}
            for item in services.catalog.items.values()]
    db = emulator.state.db
    with db.conn:
        db["items"].upsert_all(rows, pk="code")
    return len(rows)
