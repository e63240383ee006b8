"""docker-compose.yml: valid for Debian's docker-compose 1.29 and wired as documented.

No Docker engine runs here, so the file is checked through `docker-compose config`,
which validates it against the schema and prints it with every variable resolved.
"""

import os
import secrets
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
import yaml

from orderflow.secrets import SECRET_NAMES, new_secret

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
SERVICE_PORTS = {"client": 8001, "supplier": 8002}
PEER = {"client": "supplier", "supplier": "client"}
PEER_URL_VARIABLE = {"client": "SUPPLIER_URL", "supplier": "CLIENT_URL"}

# Variables the file reads; the tests set them themselves so neither the shell nor a
# developer's .env decides the outcome.
# Monitoring's own passwords: not signing keys, so not among SECRET_NAMES.
MONITORING_SECRETS = ("GRAFANA_ADMIN_PASSWORD", "GRAFANA_DB_PASSWORD")
COMPOSE_VARIABLES = (*SECRET_NAMES, *MONITORING_SECRETS, "POSTGRES_PASSWORD")


def run_compose(
    *args: str, env: Mapping[str, str], env_file: Path
) -> subprocess.CompletedProcess[str]:
    """Runs docker-compose on the repository's file with exactly ``env`` added."""
    executable = shutil.which("docker-compose")
    if executable is None:
        pytest.fail(
            "docker-compose is not on PATH; install Debian's package "
            "(apt-get install docker-compose) to validate docker-compose.yml"
        )

    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in COMPOSE_VARIABLES and not name.startswith("COMPOSE_")
    }
    # An empty --env-file keeps a .env in the checkout out of the test.
    env_file.write_text("")
    return subprocess.run(
        [
            executable,
            "--env-file",
            str(env_file),
            "--project-directory",
            str(REPO),
            "-f",
            str(COMPOSE_FILE),
            *args,
        ],
        env={**inherited, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def variables() -> dict[str, str]:
    """Fresh values, so finding them in the output proves they came from outside."""
    values = {name: new_secret() for name in SECRET_NAMES}
    # Hex: the password is pasted into DATABASE_URL, where "/" or "@" would break.
    values["POSTGRES_PASSWORD"] = secrets.token_hex(16)
    for name in MONITORING_SECRETS:
        values[name] = secrets.token_urlsafe(24)
    return values


@pytest.fixture(scope="module")
def config(
    variables: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The file as docker-compose resolves it."""
    env_file = tmp_path_factory.mktemp("compose") / "empty.env"
    result = run_compose("config", env=variables, env_file=env_file)
    assert result.returncode == 0, result.stderr

    return cast(dict[str, Any], yaml.safe_load(result.stdout))


def service(config: dict[str, Any], name: str) -> dict[str, Any]:
    return cast(dict[str, Any], config["services"][name])


def environment(config: dict[str, Any], name: str) -> dict[str, str]:
    return cast(dict[str, str], service(config, name)["environment"])


def test_config_is_valid(variables: dict[str, str], tmp_path: Path) -> None:
    result = run_compose("config", "-q", env=variables, env_file=tmp_path / "empty.env")

    assert result.returncode == 0, f"docker-compose config -q: {result.stderr}"


def test_has_postgres_client_and_supplier(config: dict[str, Any]) -> None:
    assert {"postgres", "client", "supplier"} <= set(config["services"])
    assert service(config, "postgres")["image"].startswith("postgres:16")


def test_client_and_supplier_share_one_image(config: dict[str, Any]) -> None:
    client, supplier = service(config, "client"), service(config, "supplier")

    assert client["build"] == supplier["build"]
    assert Path(client["build"]["context"]) == REPO
    assert (REPO / client["build"].get("dockerfile", "Dockerfile")).is_file()
    assert client["image"] == supplier["image"] == "orderflow:latest"


@pytest.mark.parametrize(("name", "port"), SERVICE_PORTS.items())
def test_service_runs_its_role_on_its_port(
    config: dict[str, Any], name: str, port: int
) -> None:
    command = [str(part) for part in service(config, name)["command"]]

    assert command[:2] == ["serve", name]
    assert command[command.index("--port") + 1] == str(port)
    assert command[command.index("--host") + 1] == "0.0.0.0"


@pytest.mark.parametrize(("name", "port"), SERVICE_PORTS.items())
def test_service_healthcheck_asks_readiness(
    config: dict[str, Any], name: str, port: int
) -> None:
    healthcheck = service(config, name)["healthcheck"]
    test = " ".join(healthcheck["test"])

    assert healthcheck["test"][0] == "CMD"
    assert "python" in test
    assert f"//127.0.0.1:{port}/health/ready" in test


def test_postgres_healthcheck_uses_pg_isready(config: dict[str, Any]) -> None:
    assert "pg_isready" in service(config, "postgres")["healthcheck"]["test"]


@pytest.mark.parametrize(("name", "port"), SERVICE_PORTS.items())
def test_service_port_is_published(
    config: dict[str, Any], name: str, port: int
) -> None:
    published = set()
    for entry in service(config, name).get("ports", []):
        if isinstance(entry, dict):
            published.add((int(entry["published"]), int(entry["target"])))
        else:
            host, _, container = str(entry).rpartition(":")
            published.add((int(host.rpartition(":")[2]), int(container)))

    assert (port, port) in published


@pytest.mark.parametrize("name", SERVICE_PORTS)
def test_service_waits_for_healthy_postgres(config: dict[str, Any], name: str) -> None:
    depends_on = service(config, name)["depends_on"]

    assert depends_on["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", SERVICE_PORTS)
def test_database_url_points_at_postgres(config: dict[str, Any], name: str) -> None:
    postgres = environment(config, "postgres")
    url = urlsplit(environment(config, name)["DATABASE_URL"])

    assert url.scheme == "postgresql"
    assert url.hostname == "postgres"
    assert url.port in (None, 5432)
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]
    assert url.path == f"/{postgres['POSTGRES_DB']}"


def test_postgres_password_comes_from_the_environment(
    config: dict[str, Any], variables: dict[str, str]
) -> None:
    postgres = environment(config, "postgres")

    assert postgres["POSTGRES_PASSWORD"] == variables["POSTGRES_PASSWORD"]


@pytest.mark.parametrize("name", SERVICE_PORTS)
def test_services_reach_each_other_by_name(config: dict[str, Any], name: str) -> None:
    peer = PEER[name]
    url = urlsplit(environment(config, name)[PEER_URL_VARIABLE[name]])

    assert url.scheme == "http"
    assert url.hostname == peer
    assert url.port == SERVICE_PORTS[peer]


@pytest.mark.parametrize("name", SERVICE_PORTS)
def test_webhook_secrets_come_from_the_environment(
    config: dict[str, Any], variables: dict[str, str], name: str
) -> None:
    env = environment(config, name)

    for secret in SECRET_NAMES:
        assert env[secret] == variables[secret]


def test_no_secret_is_written_in_the_file() -> None:
    text = COMPOSE_FILE.read_text()

    assert "whsec_" not in text
    for secret in SECRET_NAMES:
        # Required, with no default: `${NAME:?message}`.
        assert f"{secret}: ${{{secret}:?" in text


@pytest.mark.parametrize("missing", SECRET_NAMES)
@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_config_refuses_to_run_without_a_secret(
    variables: dict[str, str], tmp_path: Path, missing: str, value: str | None
) -> None:
    env = {name: v for name, v in variables.items() if name != missing}
    if value is not None:
        env[missing] = value

    result = run_compose("config", "-q", env=env, env_file=tmp_path / "empty.env")

    assert result.returncode != 0, f"config accepted a missing {missing}"
    assert missing in result.stderr


@pytest.mark.parametrize("missing", MONITORING_SECRETS)
def test_config_refuses_to_run_without_a_monitoring_password(
    variables: dict[str, str], tmp_path: Path, missing: str
) -> None:
    env = {name: v for name, v in variables.items() if name != missing}

    result = run_compose("config", "-q", env=env, env_file=tmp_path / "empty.env")

    assert result.returncode != 0, f"config accepted a missing {missing}"
    assert missing in result.stderr


def volume_sources(config: dict[str, Any], name: str) -> dict[str, str]:
    """Container path -> host path (or volume name) of a service's mounts."""
    mounts = {}
    for entry in service(config, name).get("volumes", []):
        if isinstance(entry, dict):
            mounts[entry["target"]] = str(entry["source"])
        else:
            source, target = str(entry).split(":")[:2]
            mounts[target] = source
    return mounts


def test_prometheus_scrapes_with_the_committed_config(config: dict[str, Any]) -> None:
    prometheus = service(config, "prometheus")
    mounts = volume_sources(config, "prometheus")

    assert prometheus["image"].startswith("prom/prometheus:")
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert Path(mounts["/etc/prometheus/prometheus.yml"]) == (
        REPO / "ops" / "prometheus" / "prometheus.yml"
    )


def test_grafana_is_provisioned_and_its_passwords_come_from_outside(
    config: dict[str, Any], variables: dict[str, str]
) -> None:
    grafana = service(config, "grafana")
    env = environment(config, "grafana")
    mounts = volume_sources(config, "grafana")

    assert grafana["image"].startswith("grafana/grafana:")
    assert env["GF_SECURITY_ADMIN_PASSWORD"] == variables["GRAFANA_ADMIN_PASSWORD"]
    assert env["GRAFANA_DB_PASSWORD"] == variables["GRAFANA_DB_PASSWORD"]
    assert Path(mounts["/etc/grafana/provisioning"]) == (
        REPO / "ops" / "grafana" / "provisioning"
    )
    assert any(int(p["published"]) == 3000 for p in _long_ports(grafana))


def _long_ports(spec: dict[str, Any]) -> list[dict[str, Any]]:
    ports = []
    for entry in spec.get("ports", []):
        if isinstance(entry, dict):
            ports.append(entry)
        else:
            host, _, container = str(entry).rpartition(":")
            ports.append({"published": host.rpartition(":")[2], "target": container})
    return ports


def test_postgres_creates_grafanas_read_only_role(
    config: dict[str, Any], variables: dict[str, str]
) -> None:
    mounts = volume_sources(config, "postgres")
    scripts = {
        target: Path(source)
        for target, source in mounts.items()
        if target.startswith("/docker-entrypoint-initdb.d/")
    }

    assert list(scripts.values()) == [REPO / "ops" / "postgres" / "grafana-reader.sh"]
    assert all(target.endswith(".sh") for target in scripts)
    postgres = environment(config, "postgres")
    assert postgres["GRAFANA_DB_PASSWORD"] == variables["GRAFANA_DB_PASSWORD"]


def test_no_monitoring_password_is_written_in_the_file() -> None:
    text = COMPOSE_FILE.read_text()

    for name in MONITORING_SECRETS:
        assert f"${{{name}:?" in text
        assert f"${{{name}:-" not in text
