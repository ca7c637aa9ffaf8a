"""The fleet server's TOML configuration. Every field says its unit; nothing is read from the environment.

    [server]   bind (host:port or unix:/path), workers
    [database] dsn, pool sizes
    [storage]  bundles_dir (served by nginx), logs_dir (uploaded logs, outside the database) and retention
    [keys]     answer-signing key and operations (command-signing) key, PEM files
    [fleet]    which device classes are required, when a terminal counts as silent, command lifetime
    [metrics]  the directory the workers share their Prometheus samples through
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fleet_server.errors import FleetConfigError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSection(_Section):
    bind: str = Field("127.0.0.1:8700", description="host:port, or unix:/run/yukuaiban-fleet/fleet.sock for nginx")
    workers: int = Field(2, ge=1, le=64, description="uvicorn worker processes; all state is in PostgreSQL")
    max_body_mb: int = Field(11, ge=1, description="largest request body (log bundles ≤ 10 MiB) in MiB")


class DatabaseSection(_Section):
    dsn: str = Field("postgresql:///yukuaiban_fleet?host=/run/postgresql", description="libpq URL; host= may be a socket directory")
    pool_min: int = Field(2, ge=1)
    pool_max: int = Field(10, ge=1, description="connections per worker")


class StorageSection(_Section):
    bundles_dir: str = Field("/var/lib/yukuaiban-fleet/bundles", description="signed bundles and releases; nginx serves it at /bundles/")
    logs_dir: str = Field("/var/lib/yukuaiban-fleet/logs", description="uploaded terminal logs, <terminal>/<sha256>.tar.gz")
    log_retention_days: float = Field(30.0, gt=0, description="uploaded logs older than this are deleted")
    heartbeat_retention_days: float = Field(7.0, gt=0, description="heartbeat history older than this is deleted")


class KeysSection(_Section):
    suite: str = Field("SM2-SM3", description="suite of keys the server generates on `fleet-server keys` (SM2-SM3 or ed25519)")
    platform_key_file: str = Field("/etc/yukuaiban-fleet/platform.key", description="PEM; signs every answer (terminals pin its public key)")
    operations_key_file: str = Field("/etc/yukuaiban-fleet/operations.key", description="PEM; signs remote commands")
    accept_suites: tuple[str, ...] = Field(("SM2-SM3", "ed25519"), min_length=1, description="suites terminals may sign requests with")


class FleetSection(_Section):
    required_devices: tuple[str, ...] = Field(("idcard", "printer"), description="device classes whose outage takes a terminal out")
    silent_after_s: float = Field(300.0, gt=0, description="a terminal without a heartbeat for this long counts as silent")
    command_ttl_s: int = Field(86400, gt=0, description="a queued command expires (terminals refuse it) after this many seconds")


class MetricsSection(_Section):
    multiproc_dir: str = Field("/run/yukuaiban-fleet/metrics", description="prometheus_client multiprocess directory, wiped at start")


class FleetConfig(_Section):
    server: ServerSection = ServerSection()
    database: DatabaseSection = DatabaseSection()
    storage: StorageSection = StorageSection()
    keys: KeysSection = KeysSection()
    fleet: FleetSection = FleetSection()
    metrics: MetricsSection = MetricsSection()


def load_config(path: Path) -> FleetConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return FleetConfig.model_validate(data)
    except OSError as exc:
        raise FleetConfigError(f"{path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FleetConfigError(f"{path}: not TOML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise FleetConfigError(f"{path}: {problems}") from None
