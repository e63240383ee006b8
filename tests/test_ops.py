"""ops/: the Prometheus configuration and Grafana's provisioning for docker-compose.

The queries of the dashboard are run for real elsewhere: its PromQL against a
running Prometheus (tests/integration/test_prometheus.py), its SQL as the
read-only role (tests/test_grafana_reader.py).
"""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
OPS = REPO / "ops"
PROVISIONING = OPS / "grafana" / "provisioning"
# Where docker-compose.yml mounts the provisioning folder in the Grafana container.
CONTAINER_PROVISIONING = "/etc/grafana/provisioning"
DASHBOARDS = sorted((PROVISIONING / "dashboards").glob("*.json"))


def load_yaml(path: Path) -> dict[str, Any]:
    return cast(dict[str, Any], yaml.safe_load(path.read_text()))


def datasources() -> dict[str, dict[str, Any]]:
    found = {}
    for path in (PROVISIONING / "datasources").glob("*.yml"):
        for source in load_yaml(path)["datasources"]:
            found[source["uid"]] = source
    return found


def dashboard_targets(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for panel in dashboard["panels"] for t in panel.get("targets", [])]


def test_prometheus_config_passes_promtool() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing; install Debian's prometheus package")

    result = subprocess.run(
        [promtool, "check", "config", str(OPS / "prometheus" / "prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_both_services_every_15_s() -> None:
    config = load_yaml(OPS / "prometheus" / "prometheus.yml")

    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    assert targets == {"client:8001", "supplier:8002"}
    assert config["global"]["scrape_interval"] == "15s"


def test_datasources_are_prometheus_and_a_read_only_postgres() -> None:
    sources = {source["type"]: source for source in datasources().values()}

    assert sources["prometheus"]["url"] == "http://prometheus:9090"
    postgres = sources["grafana-postgresql-datasource"]
    assert postgres["user"] == "grafana_reader"
    assert postgres["secureJsonData"]["password"] == "$GRAFANA_DB_PASSWORD"
    assert "password" not in postgres.get("jsonData", {})


def test_dashboard_provider_reads_the_committed_folder() -> None:
    (provider,) = load_yaml(PROVISIONING / "dashboards" / "orderflow.yml")["providers"]

    assert provider["options"]["path"] == f"{CONTAINER_PROVISIONING}/dashboards"
    assert DASHBOARDS


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_dashboard_uses_only_provisioned_datasources(path: Path) -> None:
    dashboard = json.loads(path.read_text())
    known = datasources()

    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    for item in [*panels, *dashboard_targets(dashboard)]:
        source = item["datasource"]
        assert source["uid"] in known, item
        assert source["type"] == known[source["uid"]]["type"], item


def test_process_health_dashboard_covers_what_operations_watch() -> None:
    dashboard = json.loads(
        (PROVISIONING / "dashboards" / "orderflow-process-health.json").read_text()
    )
    text = json.dumps(dashboard_targets(dashboard))

    for metric in (
        "orderflow_instances",
        "orderflow_task_completions_total",
        "orderflow_task_waiting_seconds_bucket",
        "orderflow_task_handling_seconds_bucket",
        "orderflow_task_duration_seconds_bucket",
        "orderflow_delivery_attempts_total",
        "orderflow_deliveries_failed_total",
        "orderflow_delivery_latency_seconds_bucket",
        "orderflow_http_requests_total",
        "orderflow_http_request_duration_seconds_bucket",
    ):
        assert metric in text, metric
