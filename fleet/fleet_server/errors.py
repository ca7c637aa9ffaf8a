"""The fleet server's exception tree (its own package, so its own root; answers to terminals are ``ApiError``).

    FleetError
    ├── FleetConfigError     the TOML config is invalid or a key file cannot be read (exit 78, systemd stops retrying)
    └── FleetDatabaseError   PostgreSQL is unreachable or its schema is not at the migration head
"""

from __future__ import annotations

EXIT_CONFIG = 78


class FleetError(Exception):
    """Root of every exception the fleet server raises on purpose."""


class FleetConfigError(FleetError):
    pass


class FleetDatabaseError(FleetError):
    pass
