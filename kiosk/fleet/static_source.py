"""Bundles from any static web server or CDN: ``current.json`` + the bundle files, nothing else.

Bundles verify themselves (signature + hashes), so plain unauthenticated GETs are enough; the
canary choice is made here with the same pure function the platform uses (kiosk.platform.rollout),
so a fleet fed from a CDN rolls out exactly like one fed by the platform. Same two calls as the
platform client (``current_config`` / ``download_bundle``), so ``ConfigUpdater`` takes either.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from kiosk.errors import PlatformUnavailable
from kiosk.platform.rollout import POINTER, choose


@dataclass(frozen=True)
class StaticConfigVersion:
    version: str
    bundle: str | None


class StaticBundleSource:
    def __init__(self, base_url: str, terminal_id: str, http: httpx.AsyncClient | None = None, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self._owns = http is None
        self.http = http or httpx.AsyncClient(timeout=timeout_s)

    async def _get(self, name: str, headers: dict[str, str] | None = None) -> httpx.Response:
        try:
            response = await self.http.get(f"{self.base_url}/{name}", headers=headers)
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(f"bundle server: {type(exc).__name__}: {exc}") from None
        if response.status_code not in (200, 304):
            raise PlatformUnavailable(f"bundle server: GET {name}: HTTP {response.status_code}")
        return response

    async def current_config(self) -> StaticConfigVersion:
        response = await self._get(POINTER)
        try:
            chosen = choose(response.json(), self.terminal_id)
        except (ValueError, TypeError, KeyError) as exc:
            raise PlatformUnavailable(f"bundle server: {POINTER} unreadable: {exc}") from None
        if chosen is None:
            return StaticConfigVersion("0", None)
        return StaticConfigVersion(str(chosen["version"]), str(chosen["bundle"]))

    async def download_bundle(self, name: str, etag: str | None = None) -> tuple[bytes | None, str | None]:
        response = await self._get(name, {"If-None-Match": etag} if etag else None)
        if response.status_code == 304:
            return None, etag
        return response.content, response.headers.get("ETag")

    async def aclose(self) -> None:
        if self._owns:
            await self.http.aclose()
