"""Debian's Prometheus scraping both running services, checked through its query API.

Prometheus runs as its own process on a free loopback port with a temporary
configuration (a 1 s scrape interval) and a temporary TSDB folder.
"""

import json
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.api import drive_to_completion, eventually, place_order, wait_for_state
from tests.system import System, free_port

PROMETHEUS = "/usr/bin/prometheus"
DASHBOARDS = Path(__file__).resolve().parents[2] / "ops/grafana/provisioning/dashboards"
# Grafana's variables, as Grafana would fill them in.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$service": ".*"}
SERVICES = ("client", "supplier")
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 20


def scrape_config(system: System) -> dict[str, Any]:
    targets = {"client": system.client_url, "supplier": system.supplier_url}
    return {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
        "scrape_configs": [
            {
                "job_name": name,
                "static_configs": [{"targets": [url.removeprefix("http://")]}],
            }
            for name, url in targets.items()
        ],
    }


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"prometheus exited with {process.returncode}: {log.read_text()}"
            )
        try:
            if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"prometheus was not ready within {START_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def prometheus(
    system: System, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The base URL of a Prometheus scraping ``system``; stopped with SIGTERM."""
    executable = shutil.which("prometheus") or PROMETHEUS
    if not Path(executable).is_file():
        pytest.fail(
            "prometheus is not installed; install Debian's package "
            "(apt-get install prometheus), as `python3 dev.py test` does"
        )
    folder = tmp_path_factory.mktemp("prometheus")
    config = folder / "prometheus.yml"
    config.write_text(yaml.safe_dump(scrape_config(system)))
    url = f"http://127.0.0.1:{free_port()}"
    log = folder / "prometheus.log"

    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                executable,
                f"--config.file={config}",
                f"--storage.tsdb.path={folder / 'data'}",
                f"--web.listen-address={url.removeprefix('http://')}",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(url, process, log)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)
            pytest.fail(f"prometheus did not stop on SIGTERM within {STOP_TIMEOUT_S} s")
    assert process.returncode == 0, f"prometheus stopped badly: {log.read_text()}"


async def query(
    http: httpx.AsyncClient, prometheus: str, promql: str
) -> dict[str, float]:
    """An instant query's result as {service label: value}."""
    response = await http.get(f"{prometheus}/api/v1/query", params={"query": promql})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success", body
    return {
        item["metric"].get("service", ""): float(item["value"][1])
        for item in body["data"]["result"]
    }


async def test_prometheus_scrapes_both_services(
    http: httpx.AsyncClient, system: System, prometheus: str
) -> None:
    async def both_up() -> bool:
        response = await http.get(f"{prometheus}/api/v1/targets")
        targets = response.json()["data"]["activeTargets"]
        health = {t["labels"]["job"]: t["health"] for t in targets}
        return health == {"client": "up", "supplier": "up"}

    await eventually(both_up, timeout_s=30, what="both targets to be up")

    order = await place_order(http, system)
    await drive_to_completion(http, system, order["id"])
    for url in (system.client_url, system.supplier_url):
        await wait_for_state(http, url, order["id"], "completed")

    checks = {
        'orderflow_instances{state="completed"}': 1,
        "sum by (service) (orderflow_task_completions_total)": 2,
        "sum by (service) (orderflow_task_duration_seconds_count)": 2,
        'sum by (service) (orderflow_delivery_attempts_total{outcome="delivered"})': 2,
        "sum by (service) (orderflow_delivery_latency_seconds_count)": 2,
        "sum by (service) (orderflow_http_requests_total)": 1,
    }
    for promql, at_least in checks.items():

        async def scraped(promql: str = promql, at_least: int = at_least) -> bool:
            values = await query(http, prometheus, promql)
            return all(values.get(s, 0) >= at_least for s in SERVICES)

        await eventually(scraped, timeout_s=30, what=f"{promql} >= {at_least}")

    quantile = await query(
        http,
        prometheus,
        "histogram_quantile(0.5, sum by (service, le) "
        "(orderflow_delivery_latency_seconds_bucket))",
    )
    assert set(quantile) == set(SERVICES)
    assert all(0 < seconds < 60 for seconds in quantile.values())


def dashboard_promql() -> list[str]:
    queries = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                if target["datasource"]["type"] != "prometheus":
                    continue
                expr = target["expr"]
                for variable, value in GRAFANA_VARIABLES.items():
                    expr = expr.replace(variable, value)
                queries.append(expr)
    return queries


async def test_dashboard_queries_run(
    http: httpx.AsyncClient, system: System, prometheus: str
) -> None:
    queries = dashboard_promql()

    assert queries
    for promql in queries:
        await query(http, prometheus, promql)
