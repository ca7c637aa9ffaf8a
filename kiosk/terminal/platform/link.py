"""The platform link: client + durable outbox + delivery worker, over one platform endpoint.

Built by the composition root (kiosk.assembly) from the terminal config and the endpoint it opened
(a remote platform, or a plugin such as the simulators' embedded emulator).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from kiosk.security.keydir import key_path
from kiosk.terminal.events import EventBus
from kiosk.terminal.outbox import DeliveryWorker, Outbox
from kiosk.terminal.platform.client import PlatformClient
from kiosk.terminal.platform.endpoint import PlatformEndpoint
from kiosk.terminal.platform.keys import load_or_create_key

if TYPE_CHECKING:
    from kiosk.settings.model import TerminalConfig


@dataclass
class PlatformLink:
    """What the flows, fleet and maintenance share: client, outbox, delivery worker and the endpoint."""

    client: PlatformClient
    outbox: Outbox
    worker: DeliveryWorker
    endpoint: PlatformEndpoint

    def status(self) -> dict[str, Any]:
        """Link state plus outbox depth/oldest age, for the heartbeat and maintenance screen."""
        return {**self.client.status().to_dict(), "outbox": self.outbox.stats().to_dict()}

    async def aclose(self) -> None:
        await self.client.aclose()
        self.outbox.close()
        self.endpoint.close()


def open_link(config: TerminalConfig, endpoint: PlatformEndpoint, *, bus: EventBus | None = None,
              http: httpx.AsyncClient | None = None, software_version: str = "0.1.0") -> PlatformLink:
    """Keys, client and outbox under ``data_dir``; registration sends the configured enrollment code."""
    data_dir = config.terminal.data_path()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = load_or_create_key(Path(config.platform.key_file) if config.platform.key_file else data_dir / "terminal.key")
    client = PlatformClient(endpoint.url, config.terminal.id, key, district_code=config.terminal.district_code, hall=config.terminal.hall,
                            enrollment_code=config.platform.enrollment_code, software_version=software_version, http=http, bus=bus,
                            timeout_s=config.platform.timeout_s, retries=config.platform.retries)
    # The key apart from what it seals (<data_dir>/keys/), and never regenerated over sealed rows.
    outbox = Outbox(data_dir / "outbox.db", key_path(data_dir, "outbox.key"), config.terminal.id)
    return PlatformLink(client, outbox, DeliveryWorker(outbox, client), endpoint)
