"""Session engines: one PostgreSQL cluster, one fleet server (2 workers) migrated on it, nginx in front."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.fleet_server.engines import FleetServer, Nginx, Postgres


@dataclass
class Fleet:
    pg: Postgres
    server: FleetServer
    nginx: Nginx
    keys: dict[str, str]


@pytest.fixture(scope="session")
def fleet() -> Iterator[Fleet]:
    pg = Postgres.start()
    server = FleetServer.prepare(pg)
    nginx = None
    try:
        server.cli("migrate")
        keys = json.loads(server.cli("keys"))
        server.start()
        nginx = Nginx.start(server.port, server.bundles_dir)
        yield Fleet(pg, server, nginx, keys)
    finally:
        if nginx is not None:
            nginx.stop()
        server.stop()
        pg.stop()
