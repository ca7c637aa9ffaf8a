"""Wiring from the terminal config: the client (and, for ``platform.url = "embedded:"``, the emulator).

Embedded mode starts the real emulator on a free loopback port in a background thread, so the demo
needs no separate server and still goes through HTTP, signing and the outbox exactly as in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from kiosk.terminal.events import EventBus
from kiosk.terminal.outbox import DeliveryWorker, Outbox, load_or_create_seal_key
from kiosk.terminal.platform.client import PlatformClient
from kiosk.terminal.platform.keys import load_or_create_key

if TYPE_CHECKING:
    from kiosk.settings.model import TerminalConfig

EMBEDDED = "embedded:"


@dataclass
class PlatformLink:
    """What the app attaches to ``Terminal.services``: client, outbox, delivery worker, optional emulator."""

    client: PlatformClient
    outbox: Outbox
    worker: DeliveryWorker
    emulator: Any = None  # EmbeddedPlatform in embedded mode

    def status(self) -> dict[str, Any]:
        """Link state plus outbox depth/oldest age, for the heartbeat and maintenance screen."""
        return {**self.client.status().to_dict(), "outbox": self.outbox.stats().to_dict()}

    async def aclose(self) -> None:
        await self.client.aclose()
        self.outbox.close()
        if self.emulator is not None:
            self.emulator.stop()


def open_link(config: "TerminalConfig", bus: EventBus | None = None, http: httpx.AsyncClient | None = None) -> PlatformLink:
    data_dir = config.terminal.data_path()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = load_or_create_key(Path(config.platform.key_file) if config.platform.key_file else data_dir / "terminal.key")
    emulator = None
    base_url = config.platform.url
    if base_url == EMBEDDED:
        from kiosk.platform.emulator.server import EmbeddedPlatform

        emulator = EmbeddedPlatform(data_dir / "platform-emulator.db", bundles_dir=data_dir / "bundles").start()
        base_url = emulator.url
    client = PlatformClient(base_url, config.terminal.id, key, district_code=config.terminal.district_code, hall=config.terminal.hall,
                            http=http, bus=bus, timeout_s=config.platform.timeout_s, retries=config.platform.retries)
    outbox = Outbox(data_dir / "outbox.db", load_or_create_seal_key(data_dir / "outbox.key"), config.terminal.id)
    return PlatformLink(client, outbox, DeliveryWorker(outbox, client), emulator)
