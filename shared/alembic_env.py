"""The body of each service's Alembic ``env.py``.

Migrations run on the connection the service hands over at start-up; from the
command line (``alembic -c <service>/alembic.ini ...``) on ``DATABASE_URL``.
"""

import asyncio
import os

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.db import asyncpg_url


def _migrate(connection: Connection, schema: str) -> None:
    context.configure(
        connection=connection,
        version_table_schema=schema,
        include_schemas=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_from_url(url: str, schema: str) -> None:
    engine = create_async_engine(
        asyncpg_url(url),
        poolclass=NullPool,
        connect_args={"server_settings": {"search_path": schema}},
    )
    async with engine.begin() as connection:
        await connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        await connection.run_sync(_migrate, schema)
    await engine.dispose()


def run(schema: str) -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection, schema)
        return
    asyncio.run(_migrate_from_url(os.environ["DATABASE_URL"], schema))
