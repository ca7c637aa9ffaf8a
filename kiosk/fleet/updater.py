"""Fetching configuration bundles from the platform: current version → download with ETag → stage.

Conditional GETs (If-None-Match) make an unchanged or already-rejected bundle cost one 304, so a
fleet polling every heartbeat does not re-download or re-audit the same file.
"""

from __future__ import annotations

import logging
from typing import Any

from kiosk.errors import PlatformError
from kiosk.fleet.bundle import BundleRejected
from kiosk.fleet.configs import ConfigBundles

log = logging.getLogger(__name__)


class ConfigUpdater:
    """``client``: the PlatformClient, or a ``StaticBundleSource`` (same two calls) for a CDN/static server."""

    def __init__(self, bundles: ConfigBundles, client: Any) -> None:
        self.bundles = bundles
        self.client = client

    async def check(self, announced: str | None = None) -> str:
        """One update round: ``current`` | ``unchanged`` | ``staged`` | ``rejected`` | ``offline``.

        ``announced`` is the version from a heartbeat reply; when it is not newer we skip the request.
        """
        if announced is not None and announced.isdigit() and not self.bundles.wants(int(announced)):
            return "current"
        try:
            current = await self.client.current_config()
            version = int(current.version) if current.version.isdigit() else 0
            if current.bundle is None or not self.bundles.wants(version):
                return "current"
            data, etag = await self.client.download_bundle(current.bundle, self.bundles.state.etag)
        except PlatformError as exc:
            log.info("config check: platform unavailable: %s", exc)
            return "offline"
        if data is None:
            return "unchanged"
        self.bundles.set_etag(etag)
        try:
            self.bundles.accept(data, source=current.bundle)
        except BundleRejected:
            return "rejected"
        return "staged"
