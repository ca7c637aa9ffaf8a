"""Schema migrations with Alembic, configured in code: ``fleet-server migrate`` (upgrade to head) and the head check
every worker makes at start (a worker never runs on a schema it does not know)."""

from __future__ import annotations

from importlib import resources

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed upstream
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from fleet_server.errors import FleetDatabaseError


def sqlalchemy_url(dsn: str) -> str:
    """The libpq URL of the config, for SQLAlchemy's asyncpg dialect (same driver, same socket)."""
    scheme, sep, rest = dsn.partition("://")
    if not sep or scheme not in ("postgresql", "postgres"):
        raise FleetDatabaseError(f"database.dsn: expected postgresql://…, got {dsn[:40]!r}")
    return f"postgresql+asyncpg://{rest}"


def alembic_config(dsn: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("fleet_server").joinpath("migrations")))
    config.attributes["url"] = sqlalchemy_url(dsn)
    return config


def upgrade(dsn: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(dsn), revision)


def downgrade(dsn: str, revision: str) -> None:
    command.downgrade(alembic_config(dsn), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("postgresql:///x")).get_current_head()
    assert head is not None
    return head


async def check_head(pool: asyncpg.Pool) -> None:
    """FleetDatabaseError unless the database is at this code's migration head."""
    want = head_revision()
    try:
        have = await pool.fetchval("SELECT version_num FROM alembic_version")
    except asyncpg.UndefinedTableError:
        have = None
    if have != want:
        raise FleetDatabaseError(f"database schema at {have or 'nothing'}, this server needs {want}: run `fleet-server migrate`")
