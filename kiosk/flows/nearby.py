"""The terminals in service nearby, for the out-of-service screen: where a citizen can go instead.

Fetched from the platform (``listNearbyTerminals``) when the terminal goes out of service, at most
once per ``REFRESH_S``; a platform that does not answer leaves the last list (or none: the screen then
offers only 帮办). Drawn as options: label the centre, detail its address and distance.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from kiosk.errors import PlatformError
from kiosk.flows.viewmodels import Option
from kiosk.terminal.platform.client import PlatformClient
from kiosk.terminal.platform.models import NearbyTerminal

log = logging.getLogger(__name__)
REFRESH_S = 300.0
LIMIT = 3


def nearby_option(t: NearbyTerminal) -> Option:
    distance = "" if t.distance_km is None else ("本大厅" if t.distance_km < 0.05 else f"{t.distance_km:.1f}公里")
    return Option(t.terminal_id, t.centre_name, " · ".join(x for x in (t.address, distance) if x))


@dataclass
class NearbyTerminals:
    rows: tuple[Option, ...] = ()
    asked_at: float | None = None

    def claim(self, now: float | None = None) -> bool:
        """True (and remembered) when a fetch is due: so the attract screen drawn again meanwhile asks nothing."""
        now = time.monotonic() if now is None else now
        if self.asked_at is not None and now - self.asked_at < REFRESH_S:
            return False
        self.asked_at = now
        return True

    async def refresh(self, client: PlatformClient) -> bool:
        """Ask the platform; True when the list changed."""
        try:
            rows = tuple(nearby_option(t) for t in await client.list_nearby_terminals(LIMIT))
        except PlatformError as exc:
            log.info("nearby terminals unavailable (%s); the out-of-service screen offers 帮办 only", type(exc).__name__)
            return False
        changed, self.rows = rows != self.rows, rows
        return changed
