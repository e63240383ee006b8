"""The monitoring dashboard's JSON and actions, checked against the raw rows."""

import base64
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from shared.db import plain_dsn
from shared.types import MAX_OFFSET
from tests.api import (
    complete,
    drive_to_completion,
    eventually,
    open_task,
    place_order,
    wait_for_state,
)
from tests.system import As, System

LIVE = "/dashboard/api/monitoring/live"
INSTANCES = "/dashboard/api/monitoring/instances"
INCIDENTS = "/dashboard/api/monitoring/incidents"


@pytest.fixture(scope="module")
def watched(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """A system of its own: its client gives up on a delivery after two retries,
    and a quote left unanswered for a second is overdue."""
    with System.started(
        new_database(),
        tmp_path_factory.mktemp("monitoring"),
        CLIENT_OUTBOX_RETRY_SCHEDULE_S="[0.2, 0.2]",
        CLIENT_TASK_DUE_S='{"confirm_quote": 1}',
    ) as running:
        yield running


@pytest.fixture(scope="module")
async def orders(watched: System) -> dict[str, str]:
    """Four orders left in four different states on the client."""
    system = watched
    async with httpx.AsyncClient(timeout=30, auth=As("ada")) as http:
        done = (await place_order(http, system))["id"]
        await drive_to_completion(http, system, done)
        rejected = (await place_order(http, system))["id"]
        await complete(http, system, rejected, "verify_order", "reject", "no stock")
        quoted = (await place_order(http, system, customer_id="BLAUS"))["id"]
        await complete(http, system, quoted, "verify_order", "approve")
        waiting = (await place_order(http, system))["id"]
        await open_task(http, system, waiting, "verify_order")

        await wait_for_state(http, system.client_url, done, "completed")
        await wait_for_state(http, system.client_url, rejected, "rejected")
        await wait_for_state(http, system.client_url, quoted, "awaiting_quote_decision")
    return {
        "completed": done,
        "rejected": rejected,
        "awaiting_quote_decision": quoted,
        "awaiting_verification": waiting,
    }


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30, auth=As("ada")) as client:
        yield client


async def _passed_from_raw_rows(system: System, elements: list[str]) -> dict[str, int]:
    """Distinct orders whose history holds each element, straight from the table."""
    connection = await asyncpg.connect(plain_dsn(system.database_url))
    try:
        rows = await connection.fetch(
            """
            SELECT e, (SELECT count(DISTINCT order_id) FROM client.process_history
                        WHERE element_ids @> ARRAY[e]) AS n
              FROM unnest($1::text[]) AS e
            """,
            elements,
        )
    finally:
        await connection.close()
    return {row["e"]: row["n"] for row in rows}


async def test_the_live_figures_count_states_tasks_and_elements(
    http: httpx.AsyncClient, watched: System, orders: dict[str, str]
) -> None:
    expected = dict.fromkeys(orders, 1)

    async def settled() -> dict[str, Any] | None:
        figures: dict[str, Any] = (await http.get(watched.client_url + LIVE)).json()
        states = {k: v for k, v in figures["summary"]["states"].items() if v}
        elements = figures["elements"]
        started = elements["Client_Start"]["passed"]
        escalated = elements["Client_ConfirmQuote_Escalated"]["passed"]
        return (
            figures if states == expected and (started, escalated) == (4, 1) else None
        )

    figures = await eventually(settled, what="the dashboard to show the four orders")
    summary = figures["summary"]
    assert summary["active"] == 2
    assert summary["ended"] == 2
    assert summary["failed_deliveries"] == 0
    assert summary["tasks"]["confirm_quote"] == {"open": 1, "overdue": 1}
    assert summary["tasks"]["confirm_receipt"] == {"open": 0, "overdue": 0}

    elements = figures["elements"]
    assert elements["Client_ConfirmQuote"]["waiting"] == 1
    assert elements["Client_AwaitVerification"]["waiting"] == 1
    assert elements["Client_End_Completed"]["waiting"] == 0
    raw = await _passed_from_raw_rows(watched, list(elements))
    assert {k: v["passed"] for k, v in elements.items()} == raw
    assert raw["Client_ConfirmQuote"] == 2
    assert raw["Client_End_Rejected"] == 1

    supplier: dict[str, Any] = (await http.get(watched.supplier_url + LIVE)).json()
    assert supplier["summary"]["states"]["awaiting_verification"] == 1
    assert supplier["summary"]["tasks"]["verify_order"]["open"] == 1
    assert "Client_Start" not in supplier["elements"]


async def test_the_instance_list_filters_and_pages_by_keyset(
    http: httpx.AsyncClient, watched: System, orders: dict[str, str]
) -> None:
    url = watched.client_url + INSTANCES

    async def ids(**params: Any) -> list[str]:
        response = await http.get(url, params=params)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()["items"]]

    assert await ids(state="completed") == [orders["completed"]]
    assert await ids(element="Client_ConfirmQuote") == [
        orders["awaiting_quote_decision"]
    ]
    assert await ids(customer="blaus") == [orders["awaiting_quote_decision"]]
    assert set(await ids(total_min="0.01")) == {
        orders["completed"],
        orders["awaiting_quote_decision"],
    }
    assert await ids(placed_from="2000-01-01", placed_to="2000-12-31") == []
    assert await ids(overdue="true") == [orders["awaiting_quote_decision"]]

    everything = await ids(limit=200)
    assert set(everything) == set(orders.values())
    pages: list[list[str]] = []
    after: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 1, **({"after": after} if after else {})}
        page = (await http.get(url, params=params)).json()
        pages.append([row["id"] for row in page["items"]])
        after = page["next"]
        if after is None:
            break
    assert [i for p in pages for i in p] == everything

    # A new order shifts nothing on pages read by cursor: page 2 stays page 2.
    first = (await http.get(url, params={"limit": 2})).json()
    await place_order(http, watched)
    second = (await http.get(url, params={"limit": 2, "after": first["next"]})).json()
    assert [row["id"] for row in second["items"]] == everything[2:4]
    back = await http.get(url, params={"limit": 2, "before": second["previous"]})
    assert [row["id"] for row in back.json()["items"]] == everything[0:2]

    by_total = await ids(sort="total", direction="asc")
    assert len(by_total) == 2
    bad = await http.get(url, params={"after": "not-a-cursor"})
    assert bad.status_code == 422
    unknown = await http.get(url, params={"element": "Supplier_VerifyOrder"})
    assert unknown.status_code == 422


async def _cookie_client(system: System, user: str) -> httpx.AsyncClient:
    token = system.token("client", user)
    # A browser names the page's origin on every POST; the service checks it.
    return httpx.AsyncClient(
        base_url=system.client_url,
        cookies={"orderflow_session_client": token},
        headers={"origin": system.client_url},
        timeout=30,
    )


async def test_the_pages_render_for_any_role(
    watched: System, orders: dict[str, str]
) -> None:
    async with await _cookie_client(watched, "vic") as viewer:
        for path in (
            "/dashboard",
            "/dashboard/instances?state=completed",
            f"/dashboard/instances/{orders['completed']}",
            "/dashboard/incidents",
        ):
            response = await viewer.get(path)
            assert response.status_code == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
        page = (await viewer.get(f"/dashboard/instances/{orders['completed']}")).text
        assert (
            f"{watched.supplier_url}/dashboard/instances/{orders['completed']}" in page
        )
    async with httpx.AsyncClient(base_url=watched.client_url) as anonymous:
        response = await anonymous.get("/dashboard")
        assert response.status_code == 303
        assert "/ui/login" in response.headers["location"]


async def test_a_failed_delivery_is_an_incident_an_admin_can_redeliver(
    http: httpx.AsyncClient, watched: System, orders: dict[str, str]
) -> None:
    system = watched
    system.stop("supplier")
    try:
        order = await place_order(http, system)

        async def failed() -> list[dict[str, Any]]:
            found = (await http.get(system.client_url + INCIDENTS)).json()
            return [m for m in found["deliveries"] if m["order_id"] == order["id"]]

        [message] = await eventually(failed, what="the delivery to fail for good")
        assert message["event_type"] == "order.placed"
        assert message["last_error"]
        listed = await http.get(
            system.client_url + INSTANCES, params={"failed": "true"}
        )
        assert [row["id"] for row in listed.json()["items"]] == [order["id"]]
    finally:
        system.start("supplier")

    redeliver = f"/dashboard/incidents/messages/{message['id']}/redeliver"
    async with await _cookie_client(system, "vic") as viewer:
        refused = await viewer.post(redeliver)
        assert refused.status_code == 403
    async with await _cookie_client(system, "ada") as admin:
        done = await admin.post(redeliver)
        assert done.status_code == 303
        assert done.headers["location"] == "/dashboard/incidents?msg=redelivered"
        again = await admin.post(redeliver)
        assert again.status_code == 409
        unknown = await admin.post(
            f"/dashboard/incidents/tasks/{uuid.uuid4()}/assign",
            data={"assignee": "bea"},
        )
        assert unknown.status_code == 404
    await open_task(http, system, order["id"], "verify_order")


async def viewer_post(system: System, path: str, data: dict[str, str]) -> int:
    async with await _cookie_client(system, "vic") as viewer:
        return (await viewer.post(path, data=data)).status_code


def _cursor(value: str) -> str:
    """A page cursor as the instance list writes one: base64 of [value, id]."""
    raw = json.dumps([value, str(uuid.uuid4())]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"placed_to": "9999-12-31"}, "placed-to date must be before 9999-12-31"),
        ({"placed_from": "9999-12-31", "placed_to": "9999-12-31"}, "placed-to"),
        ({"total_min": "1E-999999"}, "more than two decimal places"),
        ({"total_max": "0.001"}, "more than two decimal places"),
        ({"total_min": "1E+999999"}, "the minimum total is not valid"),
        ({"total_max": "sNaN"}, "the maximum total is not valid"),
        *(
            ({"sort": "total", key: _cursor(value)}, "page cursor does not fit")
            for key in ("after", "before")
            for value in ("1E+999999", "1E-999999", "sNaN", "NaN", "Infinity", "0.001")
        ),
        *(
            ({"sort": "placed", "after": _cursor(value)}, "page cursor does not fit")
            for value in (
                "0001-01-01T00:00+05:00",
                "9999-12-31T23:59-05:00",
                "1E+999999",
            )
        ),
        ({"sort": "total", "after": _cursor("2026-01-01T00:00+00:00")}, "cursor"),
    ],
)
async def test_bad_filters_and_cursors_are_refused_with_422(
    http: httpx.AsyncClient,
    watched: System,
    orders: dict[str, str],
    params: dict[str, str],
    problem: str,
) -> None:
    response = await http.get(watched.client_url + INSTANCES, params=params)
    assert response.status_code == 422, response.text
    assert problem in response.json()["detail"]
    async with await _cookie_client(watched, "vic") as viewer:
        page = await viewer.get("/dashboard/instances", params=params)
        assert page.status_code == 422, page.text


@pytest.mark.parametrize(
    "params",
    [
        {"placed_from": "0001-01-01", "placed_to": "9999-12-30"},
        {"sort": "placed", "after": _cursor("0001-01-01T00:00")},
        {"sort": "placed", "before": _cursor("9999-12-31T23:59:59+00:00")},
        {"sort": "total", "after": _cursor("99999999999999.99")},
        {"sort": "total", "after": _cursor("-1.50"), "direction": "asc"},
        {"total_min": "0", "total_max": "1000000000000"},
    ],
)
async def test_the_edges_of_filters_and_cursors_are_accepted(
    http: httpx.AsyncClient,
    watched: System,
    orders: dict[str, str],
    params: dict[str, str],
) -> None:
    response = await http.get(watched.client_url + INSTANCES, params=params)
    assert response.status_code == 200, response.text


async def test_the_order_list_page_bounds_its_offset(
    watched: System, orders: dict[str, str]
) -> None:
    async with await _cookie_client(watched, "vic") as viewer:
        for offset in (str(MAX_OFFSET + 1), "9" * 30, "-1"):
            page = await viewer.get("/ui/orders", params={"offset": offset})
            assert page.status_code == 422, (offset, page.text)
        page = await viewer.get("/ui/orders", params={"offset": str(MAX_OFFSET)})
        assert page.status_code == 200, page.text
