"""ops/postgres/grafana-reader.sh: the read-only role Grafana's data source uses.

The script runs as the postgres image runs it (``sh``, with ``POSTGRES_USER``,
``POSTGRES_DB`` and ``GRAFANA_DB_PASSWORD`` set), with the real ``psql``, against
an embedded PostgreSQL of our own: the role it makes is cluster-wide, so it must
not touch the shared test server. The services migrate afterwards, as they do in
compose, so the grants must reach tables made later.
"""

import importlib.util
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pytest

from client_service.models import SCHEMA as CLIENT_SCHEMA
from orderflow.embedded_db import embedded_postgres
from shared.migrations import upgrade_schema
from supplier_service.models import SCHEMA as SUPPLIER_SCHEMA

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "ops" / "postgres" / "grafana-reader.sh"
DASHBOARDS = REPO / "ops" / "grafana" / "provisioning" / "dashboards"
# pgserver's own psql, found without importing the package (which would warn about
# XDG_RUNTIME_DIR before embedded_postgres sets it).
_PGSERVER = importlib.util.find_spec("pgserver")
assert _PGSERVER is not None
assert _PGSERVER.origin is not None
PSQL_DIR = Path(_PGSERVER.origin).parent / "pginstall" / "bin"
MIGRATIONS = {
    CLIENT_SCHEMA: REPO / "client_service" / "migrations",
    SUPPLIER_SCHEMA: REPO / "supplier_service" / "migrations",
}
# Quotes, a semicolon and a backslash: the password must not be able to end the SQL.
PASSWORD = 'it\'s "read"; only\\'


@pytest.fixture(scope="module")
def socket_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty server with the services' role and database, as compose makes them."""
    with embedded_postgres(tmp_path_factory.mktemp("pg") / "data") as url:
        (host,) = parse_qs(urlsplit(url).query)["host"]
        _psql(host, "postgres", "CREATE ROLE orderflow SUPERUSER LOGIN")
        _psql(host, "postgres", "CREATE DATABASE orderflow OWNER orderflow")
        yield host


def _psql(host: str, user: str, sql: str) -> None:
    subprocess.run(
        [PSQL_DIR / "psql", "-h", host, "-U", user, "-d", "postgres", "-c", sql],
        check=True,
        capture_output=True,
        timeout=30,
    )


def run_script(host: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{PSQL_DIR}:{os.environ['PATH']}",
        "PGHOST": host,
        "POSTGRES_USER": "orderflow",
        "POSTGRES_DB": "orderflow",
        "GRAFANA_DB_PASSWORD": PASSWORD,
    }
    return subprocess.run(
        ["sh", str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
async def migrated(socket_dir: str) -> str:
    """The script run at initialisation, then both services' migrations."""
    result = run_script(socket_dir)
    assert result.returncode == 0, result.stderr

    for schema, migrations in MIGRATIONS.items():
        await upgrade_schema(
            f"postgresql://orderflow@/orderflow?host={socket_dir}",
            schema=schema,
            script_location=migrations,
        )
    return socket_dir


async def connect_as_reader(host: str) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=host, user="grafana_reader", database="orderflow", password=PASSWORD
    )


@pytest.mark.parametrize("schema", MIGRATIONS)
async def test_reader_reads_tables_made_after_it(migrated: str, schema: str) -> None:
    reader = await connect_as_reader(migrated)
    try:
        orders = await reader.fetchval(f"SELECT count(*) FROM {schema}.orders")
        tasks = await reader.fetchval(f"SELECT count(*) FROM {schema}.human_task")
    finally:
        await reader.close()

    assert (orders, tasks) == (0, 0)


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM client.orders",
        "CREATE TABLE client.grafana_was_here (id int)",
        "SET default_transaction_read_only = off; DELETE FROM supplier.human_task",
    ],
)
async def test_reader_changes_nothing(migrated: str, statement: str) -> None:
    reader = await connect_as_reader(migrated)
    try:
        with pytest.raises(asyncpg.PostgresError):
            await reader.execute(statement)
    finally:
        await reader.close()


async def test_reader_role_has_no_powers(migrated: str) -> None:
    owner = await asyncpg.connect(host=migrated, user="orderflow", database="orderflow")
    try:
        role = await owner.fetchrow(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolconfig"
            " FROM pg_roles WHERE rolname = 'grafana_reader'"
        )
    finally:
        await owner.close()

    assert role is not None
    assert (role["rolsuper"], role["rolcreatedb"], role["rolcreaterole"]) == (
        False,
        False,
        False,
    )
    assert role["rolcanlogin"]
    assert "default_transaction_read_only=on" in role["rolconfig"]


async def test_script_can_run_again_on_an_initialised_database(migrated: str) -> None:
    result = run_script(migrated)

    assert result.returncode == 0, result.stderr


def test_script_refuses_to_run_without_a_password(socket_dir: str) -> None:
    env = {"PATH": os.environ["PATH"], "POSTGRES_USER": "orderflow"}
    result = subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )

    assert result.returncode != 0
    assert "GRAFANA_DB_PASSWORD" in result.stderr


def dashboard_sql() -> list[str]:
    return [
        target["rawSql"]
        for path in sorted(DASHBOARDS.glob("*.json"))
        for panel in json.loads(path.read_text())["panels"]
        for target in panel.get("targets", [])
        if target["datasource"]["type"] == "grafana-postgresql-datasource"
    ]


async def test_dashboard_sql_runs_as_the_reader(migrated: str) -> None:
    queries = dashboard_sql()
    reader = await connect_as_reader(migrated)
    try:
        for sql in queries:
            await reader.fetch(sql)
    finally:
        await reader.close()

    assert queries
