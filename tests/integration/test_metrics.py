"""``/metrics`` of both services, read directly: families, buckets, and no secrets."""

import re
from collections.abc import Callable, Iterable, Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from client_service.process import PROCESS as CLIENT_PROCESS
from supplier_service.process import PROCESS as SUPPLIER_PROCESS
from tests.api import (
    drive_to_completion,
    eventually,
    get_order,
    open_task,
    place_order,
    wait_for_state,
)
from tests.system import System

FAMILIES = {
    "orderflow_http_requests": "counter",
    "orderflow_http_request_duration_seconds": "histogram",
    "orderflow_instances": "gauge",
    "orderflow_task_completions": "counter",
    "orderflow_task_waiting_seconds": "histogram",
    "orderflow_task_handling_seconds": "histogram",
    "orderflow_task_duration_seconds": "histogram",
    "orderflow_task_escalations": "counter",
    "orderflow_delivery_attempts": "counter",
    "orderflow_deliveries_failed": "counter",
    "orderflow_delivery_latency_seconds": "histogram",
}
PROCESSES = {"client": CLIENT_PROCESS, "supplier": SUPPLIER_PROCESS}
# What one order driven to completion does on each side.
COMPLETIONS = {
    "client": {("confirm_quote", "accept"), ("confirm_receipt", "confirm")},
    "supplier": {("verify_order", "approve"), ("confirm_fulfilment", "complete")},
}
SENT = {
    "client": {"order.placed", "quote.accepted", "fulfilment.confirmed"},
    "supplier": {"quote.issued", "fulfilment.completed"},
}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def base(system: System, service: str) -> str:
    return system.client_url if service == "client" else system.supplier_url


async def scrape(service_url: str) -> str:
    """One scrape, as Prometheus makes it: no credentials."""
    async with httpx.AsyncClient(timeout=10) as anonymous:
        response = await anonymous.get(f"{service_url}/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


def samples(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def total(found: Samples, name: str, **labels: str) -> float:
    """The sum over every series of ``name`` that has ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in found.items() if n == name and wanted <= ls)


@pytest.mark.parametrize("service", ["client", "supplier"])
async def test_metrics_need_no_login_and_list_every_family(
    system: System, service: str
) -> None:
    text = await scrape(base(system, service))

    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert {name: families[name].type for name in FAMILIES} == FAMILIES
    for name in FAMILIES:
        assert all(s.labels["service"] == service for s in families[name].samples)


@pytest.mark.parametrize("service", ["client", "supplier"])
async def test_instances_list_every_state_of_the_process(
    system: System, service: str
) -> None:
    found = samples(await scrape(base(system, service)))

    states = {
        dict(labels)["state"] for name, labels in found if name == "orderflow_instances"
    }
    assert {state.name for state in PROCESSES[service].states} <= states


async def test_one_order_is_counted_on_both_sides(
    http: httpx.AsyncClient, system: System
) -> None:
    before = {s: samples(await scrape(base(system, s))) for s in ("client", "supplier")}

    order = await place_order(http, system)
    await drive_to_completion(http, system, order["id"])
    await wait_for_state(http, system.client_url, order["id"], "completed")
    await wait_for_state(http, system.supplier_url, order["id"], "completed")

    for service in ("client", "supplier"):

        async def delivered(service: str = service) -> Samples | None:
            found = samples(await scrape(base(system, service)))
            done = total(found, "orderflow_delivery_latency_seconds_count") - total(
                before[service], "orderflow_delivery_latency_seconds_count"
            )
            return found if done >= len(SENT[service]) else None

        after = await eventually(delivered, what=f"{service}'s deliveries counted")
        assert (
            value(after, "orderflow_instances", service=service, state="completed") >= 1
        )
        for task_type, decision in COMPLETIONS[service]:
            labels = {"service": service, "task_type": task_type}
            name = "orderflow_task_completions_total"
            assert (
                value(after, name, **labels, decision=decision)
                == value(before[service], name, **labels, decision=decision) + 1
            )
            for histogram in ("waiting", "handling", "duration"):
                count = f"orderflow_task_{histogram}_seconds_count"
                assert value(after, count, **labels) == (
                    value(before[service], count, **labels) + 1
                )
        for event_type in SENT[service]:
            name = "orderflow_delivery_attempts_total"
            labels = {"service": service, "event_type": event_type}
            assert value(after, name, **labels, outcome="delivered") >= (
                value(before[service], name, **labels, outcome="delivered") + 1
            )


@pytest.mark.parametrize("service", ["client", "supplier"])
async def test_histograms_have_cumulative_buckets(
    http: httpx.AsyncClient, system: System, service: str
) -> None:
    await http.get(f"{base(system, service)}/health/live")
    text = await scrape(base(system, service))

    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name, kind in FAMILIES.items():
        if kind != "histogram":
            continue
        for series in _series(families[name].samples):
            buckets = [s for s in series if s.name.endswith("_bucket")]
            bounds = [float(s.labels["le"]) for s in buckets]
            counts = [s.value for s in buckets]
            (count,) = [s.value for s in series if s.name.endswith("_count")]
            assert bounds == sorted(bounds)
            assert bounds[-1] == float("inf")
            assert counts == sorted(counts)
            assert counts[-1] == count


def _series(found: Iterable[Sample]) -> list[list[Sample]]:
    """Samples of one histogram grouped by their labels other than ``le``."""
    grouped: dict[frozenset[tuple[str, str]], list[Sample]] = {}
    for sample in found:
        key = frozenset((k, v) for k, v in sample.labels.items() if k != "le")
        grouped.setdefault(key, []).append(sample)
    return list(grouped.values())


@pytest.mark.parametrize("service", ["client", "supplier"])
async def test_routes_are_labelled_by_template_not_by_path(
    http: httpx.AsyncClient, system: System, service: str
) -> None:
    order = await place_order(http, system)
    url = base(system, service)
    await open_task(http, system, order["id"], "verify_order")
    await get_order(http, url, order["id"])
    await http.get(f"{url}/no/such/page/{order['id']}")

    found = samples(await scrape(url))

    routes = {
        dict(labels)["route"]
        for name, labels in found
        if name == "orderflow_http_requests_total"
    }
    assert "/orders/{order_id}" in routes
    assert "<unmatched>" in routes
    assert not any(UUID.search(route) for route in routes)


@pytest.mark.parametrize("service", ["client", "supplier"])
async def test_metrics_show_no_personal_data_or_secrets(
    http: httpx.AsyncClient, system: System, service: str
) -> None:
    order = await place_order(http, system)
    await drive_to_completion(http, system, order["id"])

    text = await scrape(base(system, service))

    assert not UUID.search(text)
    for username in system.logins:
        assert not re.search(rf"\b{username}\b", text), username
    secrets = [
        *system.logins.values(),
        *(v for k, v in system.env.items() if "SECRET" in k),
        system.database_url,
    ]
    for secret in secrets:
        assert secret not in text
    assert "ALFKI" not in text
    assert "Alfreds" not in text


@pytest.fixture(scope="module")
def troubled(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """Tasks overdue after half a second; deliveries given up after two retries."""
    with System.started(
        new_database(),
        tmp_path_factory.mktemp("troubled"),
        SUPPLIER_TASK_DUE_S='{"verify_order": 0.5}',
        CLIENT_OUTBOX_RETRY_SCHEDULE_S="[0.2, 0.2]",
    ) as running:
        yield running


async def test_escalations_and_failed_deliveries_are_counted(
    http: httpx.AsyncClient, troubled: System
) -> None:
    system = troubled
    await place_order(http, system)

    async def escalated() -> bool:
        found = samples(await scrape(system.supplier_url))
        name = "orderflow_task_escalations_total"
        return value(found, name, service="supplier", task_type="verify_order") == 1

    await eventually(escalated, what="the overdue verify_order to be counted")

    system.stop("supplier")
    await place_order(http, system)

    async def failed() -> Samples | None:
        found = samples(await scrape(system.client_url))
        labels = {"service": "client", "event_type": "order.placed"}
        done = value(found, "orderflow_deliveries_failed_total", **labels) == 1
        return found if done else None

    found = await eventually(failed, what="the delivery to be counted as failed")
    attempts = "orderflow_delivery_attempts_total"
    labels = {"service": "client", "event_type": "order.placed"}
    assert value(found, attempts, **labels, outcome="transient_failure") >= 3
    assert value(found, attempts, **labels, outcome="delivered") == 1
    assert value(found, attempts, **labels, outcome="permanent_failure") == 0
