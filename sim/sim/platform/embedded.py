"""``platform.url = "embedded:"``: the platform emulator on a free loopback port, as a ``kiosk.platforms`` plugin.

The terminal's client, signing and outbox then run exactly as against a remote platform. The emulator
seeds its own demo items, whose codes differ from the terminal's catalog; a real platform already knows
every 事项 in 全渝通办, so here the catalog's items are listed in the emulator's item table at start.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sim.platform.server import EmbeddedPlatform

if TYPE_CHECKING:
    from kiosk.items.loader import Catalog
    from kiosk.settings.model import TerminalConfig


def open_platform(config: "TerminalConfig", catalog: "Catalog") -> EmbeddedPlatform:
    data_dir = config.terminal.data_path()
    platform = EmbeddedPlatform(data_dir / "platform-emulator.db", bundles_dir=data_dir / "bundles").start()
    publish_catalog(platform, catalog)
    return platform


def publish_catalog(platform: EmbeddedPlatform, catalog: "Catalog") -> int:
    from kiosk.flows.submit import PLATFORM_MODE
    from kiosk.items.vocab import CATEGORIES

    rows = [{"code": item.code, "name": item.name, "department": item.department, "category": CATEGORIES.get(item.category, item.category),
             "modes": json.dumps(sorted({PLATFORM_MODE[m] for m in item.handling_modes})),
             "guide": json.dumps({"conditions": list(item.conditions), "time_limit": item.time_limits.promised.label()}, ensure_ascii=False)}
            for item in catalog.items.values()]
    db = platform.state.db
    with db.conn:
        db["items"].upsert_all(rows, pk="code")
    return len(rows)
