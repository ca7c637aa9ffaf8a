"""Where the platform client sends its requests, from ``platform.url``.

``https://…`` (or ``http://`` on a closed network) is a real 渝快办 platform. Any other scheme is a plugin
of the ``kiosk.platforms`` group: the simulators register ``embedded:`` (the platform emulator on a
loopback port). A production install has no such plugin, so ``embedded:`` there is a config error, not a
silently started emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kiosk.errors import ConfigError
from kiosk.plugins import PLATFORMS, has_plugin, load_plugin, plugin_names

if TYPE_CHECKING:
    from kiosk.items.loader import Catalog
    from kiosk.settings.model import TerminalConfig

NETWORK_SCHEMES = ("https", "http")


class PlatformEndpoint(Protocol):
    """A platform the terminal talks to over HTTP: its base URL, and ``close()`` when the app stops."""

    @property
    def url(self) -> str: ...

    def close(self) -> None: ...


PlatformProvider = Callable[["TerminalConfig", "Catalog"], PlatformEndpoint]


@dataclass(frozen=True)
class RemotePlatform:
    """A platform somebody else runs: nothing to start or stop."""

    url: str

    def close(self) -> None:
        return None


def platform_scheme(url: str) -> str:
    return url.partition(":")[0].lower()


def check_platform_url(url: str) -> None:
    """ConfigError unless ``url`` is a network URL or names an installed platform plugin."""
    scheme = platform_scheme(url)
    if scheme in NETWORK_SCHEMES:
        if not url.partition("://")[2].strip("/"):
            raise ConfigError(f"platform.url: {url!r} has no host")
        return
    if not has_plugin(PLATFORMS, scheme):
        known = ", ".join([*NETWORK_SCHEMES, *plugin_names(PLATFORMS)])
        raise ConfigError(f"platform.url: no platform for scheme {scheme!r} (known here: {known})")


def open_platform(config: TerminalConfig, catalog: Catalog) -> PlatformEndpoint:
    url = config.platform.url
    check_platform_url(url)
    scheme = platform_scheme(url)
    if scheme in NETWORK_SCHEMES:
        return RemotePlatform(url.rstrip("/"))
    provider: PlatformProvider = load_plugin(PLATFORMS, scheme)
    return provider(config, catalog)
