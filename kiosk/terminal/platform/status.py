"""The platform link's state as a frozen snapshot, and the event published when it changes."""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field

from kiosk.terminal.events import Event


class LinkState(str, enum.Enum):
    UNKNOWN = "unknown"  # nothing sent yet
    ONLINE = "online"  # the last request got an answer from the platform
    OFFLINE = "offline"  # network error, timeout or 5xx
    AUTH_FAILED = "auth_failed"  # 401/403: key, clock or registration problem; needs a technician


@dataclass(frozen=True)
class PlatformStatus:
    state: LinkState
    description: str = ""
    base_url: str = ""
    since: float = field(default_factory=time.time)
    last_ok: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {"device": "platform", "state": self.state.value, "description": self.description, "base_url": self.base_url,
                "since": self.since, "last_ok": self.last_ok}


@dataclass(frozen=True)
class PlatformStatusChanged(Event):
    """Published on the terminal EventBus with ``device="platform"`` when the link state changes."""

    old: PlatformStatus | None
    new: PlatformStatus
