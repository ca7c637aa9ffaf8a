"""The 渝快办 platform client of the integration layer (public surface re-exported here)."""

from kiosk.terminal.platform.client import PlatformClient
from kiosk.terminal.platform.keys import load_or_create_key
from kiosk.terminal.platform.status import LinkState, PlatformStatus, PlatformStatusChanged

__all__ = ["LinkState", "PlatformClient", "PlatformStatus", "PlatformStatusChanged", "load_or_create_key"]
