"""Bad input gets a 4xx with a precise message, and stores nothing."""

from typing import Any

import httpx
import pytest

from tests.api import open_task, place_order
from tests.system import As, System

GOOD_LINE = {"product_id": 11, "quantity": 2}


async def order_count(http: httpx.AsyncClient, system: System) -> int:
    response = await http.get(f"{system.client_url}/orders", params={"limit": 1})
    total: int = response.json()["total"]
    return total


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"customer_id": "ALFKI", "lines": [{"product_id": "ABC-1", "quantity": 1}]},
            "product_id",
        ),
        (
            {"customer_id": "ALFKI", "lines": [{"product_id": 1.5, "quantity": 1}]},
            "product_id",
        ),
        (
            {"customer_id": "ALFKI", "lines": [{"product_id": -3, "quantity": 1}]},
            "product_id",
        ),
        (
            {"customer_id": "ALFKI", "lines": [{"product_id": 11, "quantity": 0}]},
            "quantity",
        ),
        (
            {"customer_id": "ALFKI", "lines": [{"product_id": 11, "quantity": -2}]},
            "quantity",
        ),
        (
            {"customer_id": "ALFKI", "lines": [{"product_id": 11, "quantity": 10**12}]},
            "quantity",
        ),
        (
            {
                "customer_id": "ALFKI",
                "lines": [{**GOOD_LINE, "requested_unit_price": "1.2.3"}],
            },
            "requested_unit_price",
        ),
        (
            {
                "customer_id": "ALFKI",
                "lines": [{**GOOD_LINE, "requested_unit_price": "NaN"}],
            },
            "requested_unit_price",
        ),
        (
            {
                "customer_id": "ALFKI",
                "lines": [{**GOOD_LINE, "requested_unit_price": "-1"}],
            },
            "requested_unit_price",
        ),
        (
            {"customer_id": "ALFKI", "lines": [{**GOOD_LINE, "discount": "1.5"}]},
            "discount",
        ),
        (
            {"customer_id": "ALFKI", "lines": [{**GOOD_LINE, "discount": "0.123456"}]},
            "discount",
        ),
        ({"customer_id": "ALFKI", "lines": [{**GOOD_LINE, "colour": "red"}]}, "colour"),
        (
            {"customer_id": "ALFKI", "lines": [GOOD_LINE], "priority": "high"},
            "priority",
        ),
        ({"customer_id": "ALF\u0000KI", "lines": [GOOD_LINE]}, "customer_id"),
        ({"customer_id": "ALFKI", "lines": []}, "lines"),
        (
            {"customer_id": "ALFKI", "lines": [GOOD_LINE, GOOD_LINE]},
            "more than one line",
        ),
        (
            {
                "customer_id": "ALFKI",
                "lines": [GOOD_LINE],
                "requested_delivery_date": "tomorrow",
            },
            "requested_delivery_date",
        ),
        (
            {
                "customer_id": "ALFKI",
                "lines": [GOOD_LINE],
                "requested_delivery_date": "2001-01-01",
            },
            "requested_delivery_date",
        ),
        (
            {
                "customer_id": "ALFKI",
                "lines": [GOOD_LINE],
                "requested_delivery_date": 10**9,
            },
            "requested_delivery_date",
        ),
        (
            {
                "customer_id": "ALFKI",
                "lines": [GOOD_LINE],
                "requested_delivery_date": "2030-01-01T00:00:00",
            },
            "requested_delivery_date",
        ),
        ({"customer_id": "NOBODY", "lines": [GOOD_LINE]}, "customer_id"),
        ({"lines": [GOOD_LINE]}, "customer_id"),
    ],
)
async def test_a_bad_order_is_refused_with_422_and_not_stored(
    http: httpx.AsyncClient, system: System, body: dict[str, Any], field: str
) -> None:
    before = await order_count(http, system)

    response = await http.post(f"{system.client_url}/orders", json=body)

    assert response.status_code == 422, response.text
    assert field in response.text
    assert await order_count(http, system) == before


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b'{"decision": "approve", "version": 1e999}',
        b"null",
        b"[]",
        b'{"customer_id": "ALFKI", "lines": "x"}',
        b'{"customer_id": "ALFKI", "lines": [{"product_id": 11, "quantity": 1e9999}]}',
        b'{"customer_id": "ALFKI", "lines": [{"product_id": 11, "quantity": NaN}]}',
        b'{"customer_id": "ALFKI", "lines": [{"product_id": 11, "quantity": true}]}',
        b'{"customer_id": -Infinity, "lines": []}',
    ],
)
async def test_a_malformed_body_is_refused_with_422(
    http: httpx.AsyncClient, system: System, raw: bytes
) -> None:
    response = await http.post(
        f"{system.client_url}/orders",
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/orders", {"state": "lost"}),
        ("/orders", {"limit": "0"}),
        ("/orders", {"limit": "100000"}),
        ("/orders", {"offset": "-1"}),
        ("/orders", {"offset": str(2**63)}),
        ("/orders", {"customer_id": "AL\u0000FKI"}),
        ("/tasks", {"assignee": "bob\u0000"}),
        ("/tasks", {"offset": str(2**63)}),
        ("/outbox/messages", {"offset": str(2**63)}),
        ("/outbox/messages/msg_%00", {}),
        ("/orders/not-a-uuid", {}),
        ("/tasks", {"type": "make_coffee"}),
        ("/tasks", {"state": "sleeping"}),
        ("/tasks/123", {}),
        ("/outbox/messages", {"state": "lost"}),
    ],
)
async def test_bad_query_parameters_get_422(
    http: httpx.AsyncClient, system: System, path: str, params: dict[str, str]
) -> None:
    response = await http.get(f"{system.client_url}{path}", params=params)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"decision": "maybe"}, "approve, reject"),
        ({"decision": "reject", "comment": "bad\u0000"}, "NUL"),
        ({"decision": ""}, "decision"),
        ({"decision": "approve", "user": "mallory"}, "user"),
        ({"decision": "approve", "mood": "happy"}, "mood"),
        ({"decision": "approve", "version": "first"}, "version"),
        ({"decision": "approve", "version": True}, "version"),
    ],
)
async def test_a_bad_task_completion_is_refused_and_changes_nothing(
    http: httpx.AsyncClient, system: System, body: dict[str, Any], needle: str
) -> None:
    order = await place_order(http, system)
    task = await open_task(http, system, order["id"], "verify_order")

    response = await http.post(
        f"{system.supplier_url}/tasks/{task['id']}/complete",
        json=body,
        auth=As("clara"),
    )

    assert response.status_code == 422, response.text
    assert needle in response.text
    again = await http.get(f"{system.supplier_url}/tasks/{task['id']}")
    assert again.json()["state"] == "open"
    assert again.json()["version"] == task["version"]


async def test_an_assignee_name_longer_than_a_login_is_refused(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    task = await open_task(http, system, order["id"], "verify_order")

    response = await http.post(
        f"{system.supplier_url}/tasks/{task['id']}/assign", json={"assignee": "x" * 101}
    )

    assert response.status_code == 422
    again = await http.get(f"{system.supplier_url}/tasks/{task['id']}")
    assert again.json()["assignee"] is None


async def test_a_zero_written_with_a_huge_exponent_is_just_zero(
    http: httpx.AsyncClient, system: System
) -> None:
    line = {**GOOD_LINE, "discount": "0E-1000000", "requested_unit_price": "0E+99"}
    response = await http.post(
        f"{system.client_url}/orders",
        json={"customer_id": "ALFKI", "lines": [line]},
        auth=As("bob"),
    )

    assert response.status_code == 201, response.text
    [stored] = response.json()["lines"]
    assert (stored["discount"], stored["requested_unit_price"]) == ("0", "0")
    listed = await http.get(
        f"{system.client_url}/dashboard/api/monitoring/instances",
        params={"total_min": "0E-1000000"},
    )
    assert listed.status_code == 200


async def test_unknown_things_are_404(http: httpx.AsyncClient, system: System) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    for url in (
        f"{system.client_url}/orders/{unknown}",
        f"{system.client_url}/tasks/{unknown}",
        f"{system.supplier_url}/catalogue/products/9999",
        f"{system.client_url}/outbox/messages/msg_nothing",
    ):
        response = await http.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"] == "NotFound"


async def test_an_order_with_a_product_not_in_the_catalogue_cannot_be_approved(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(
        http, system, lines=[{"product_id": 9999, "quantity": 1}, GOOD_LINE]
    )
    task = await open_task(http, system, order["id"], "verify_order")
    assert [line["exists"] for line in task["form"]["lines"]] == [False, True]

    response = await http.post(
        f"{system.supplier_url}/tasks/{task['id']}/complete",
        json={"decision": "approve"},
        auth=As("clara"),
    )

    assert response.status_code == 422
    assert "9999" in response.json()["detail"]
