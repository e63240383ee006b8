"""Bringing a service's schema up to date with its own Alembic history."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.db import asyncpg_url


def alembic_config(script_location: Path, schema: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["schema"] = schema
    return config


async def upgrade_schema(url: str, *, schema: str, script_location: Path) -> None:
    """Creates the schema if needed and applies every pending migration.

    An advisory lock serialises replicas that start together; the second one finds
    nothing left to do.
    """
    engine = create_async_engine(
        asyncpg_url(url),
        poolclass=NullPool,
        connect_args={"server_settings": {"search_path": schema}},
    )
    lock_key = f"orderflow-migrations-{schema}"
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text("SELECT pg_advisory_lock(hashtext(:key))"), {"key": lock_key}
            )
            await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            await connection.commit()

            def run(sync_connection: Connection) -> None:
                config = alembic_config(script_location, schema)
                config.attributes["connection"] = sync_connection
                command.upgrade(config, "head")

            await connection.run_sync(run)
            await connection.commit()
            await connection.execute(
                text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": lock_key}
            )
    finally:
        await engine.dispose()
