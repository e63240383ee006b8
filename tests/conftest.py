"""Test fixtures: a real PostgreSQL server and both services as real processes.

The server is the one named by ``ORDERFLOW_TEST_DATABASE_URL`` when it is set,
else an embedded one (pgserver). Every system under test gets a database of its
own, so tests never see each other's orders.
"""

import asyncio
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from orderflow.embedded_db import embedded_postgres
from shared.db import plain_dsn
from tests.system import System

TEST_DATABASE_URL = "ORDERFLOW_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url = os.environ.get(TEST_DATABASE_URL)
    if url:
        yield url
        return
    with (
        tempfile.TemporaryDirectory(prefix="orderflow-pg-") as folder,
        embedded_postgres(Path(folder) / "data") as embedded_url,
    ):
        yield embedded_url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(plain_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def new_database(postgres_url: str) -> Iterator[Callable[[], str]]:
    """Makes empty databases on the test server and drops them at the end."""
    made: list[str] = []

    def make() -> str:
        name = f"orderflow_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_execute(postgres_url, f'CREATE DATABASE "{name}"'))
        made.append(name)
        return _with_database(postgres_url, name)

    yield make
    for name in made:
        asyncio.run(
            _execute(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )


@pytest.fixture(scope="session")
def system(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """Both services on one fresh database, shared by the tests that only add orders."""
    with System.started(new_database(), tmp_path_factory.mktemp("system")) as running:
        yield running
