"""Alembic environment: migrations run over SQLAlchemy's asyncpg dialect, the same driver the server uses.

``fleet_server.migrate`` builds the Alembic config in code (no alembic.ini to find) and passes the DSN in
``config.attributes["dsn"]``; each migration is one transaction.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def _online(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.attributes["url"], literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online(context.config.attributes["url"]))
