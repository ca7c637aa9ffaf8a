"""The ``[xfs]`` config section: the XFS4IoT service inside a running kiosk (docs/xfs.md).

Kept here, next to the service, so the settings model only names it (``xfs: XfsSection = XfsSection()``).
"""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_PORT = 5846  # the first of the XFS4IoT publisher ports (80, 443, 5846–5856)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class XfsSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(False, description="serve the devices over XFS4IoT on loopback while the kiosk runs (closed while a citizen is served)")
    host: str = Field("127.0.0.1", description="loopback address to bind: 127.0.0.1 or ::1, nothing else")
    port: int = Field(DEFAULT_PORT, ge=0, le=65535, description="service publisher port (0: any free one)")
    token: str = Field("", description="access token; empty: a new one per start in <data_dir>/xfs.token (mode 0600)")

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, host: str) -> str:
        if not is_loopback(host):
            raise ValueError(f"{host!r}: the XFS4IoT service binds to 127.0.0.1 (or ::1) only")
        return host

    @field_validator("token")
    @classmethod
    def _long_enough(cls, token: str) -> str:
        if token and len(token) < 24:
            raise ValueError("a configured token needs at least 24 characters")
        return token
