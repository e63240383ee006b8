"""Orders driven to every end through HTTP only, both services as real processes."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.api import (
    complete,
    drive_to_completion,
    eventually,
    get_order,
    open_task,
    place_order,
    wait_for_state,
)
from tests.system import As, System


async def test_an_accepted_order_completes_on_both_sides(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    assert order["state"] == "awaiting_verification"

    verify = await open_task(http, system, order["id"], "verify_order")
    lines = verify["form"]["lines"]
    assert [(line["product_name"], line["discontinued"]) for line in lines] == [
        ("Queso Cabrales", False),
        ("Singaporean Hokkien Fried Mee", True),
    ]
    assert all(line["exists"] and line["in_stock"] for line in lines)

    await drive_to_completion(http, system, order["id"])

    client = await wait_for_state(http, system.client_url, order["id"], "completed")
    supplier = await wait_for_state(http, system.supplier_url, order["id"], "completed")
    # Catalogue prices, not the requested ones: 12 x 21.00 + 10 x 14.00 x 0.95.
    assert client["quote"]["total"] == supplier["quote"]["total"] == "385.00"
    assert client["quote"]["subtotal"] == "392.00"
    assert client["quote"]["discount_total"] == "7.00"
    assert [h["to_state"] for h in client["history"] if h["to_state"]] == [
        "awaiting_verification",
        "awaiting_quote_decision",
        "awaiting_fulfilment",
        "awaiting_receipt",
        "completed",
    ]
    assert client["history"][-1]["element_ids"][-1] == "Client_End_Completed"
    assert supplier["history"][-1]["element_ids"][-1] == "Supplier_End_Completed"
    for side in (client, supplier):
        assert all(task["state"] == "completed" for task in side["tasks"])
    receipt = next(t for t in client["tasks"] if t["task_type"] == "confirm_receipt")
    assert (receipt["decision"], receipt["comment"]) == ("confirm", None)
    # The sender records a delivery just after the receiver answered.
    client = await eventually(
        lambda: _all_delivered(http, system.client_url, order["id"]),
        what="the client's last delivery to be recorded",
    )
    assert all(
        d["attempts"] == 1 for d in client["deliveries"] + supplier["deliveries"]
    )
    assert [d["event_type"] for d in client["deliveries"]] == [
        "order.placed",
        "quote.accepted",
        "fulfilment.confirmed",
    ]
    assert [d["event_type"] for d in supplier["deliveries"]] == [
        "quote.issued",
        "fulfilment.completed",
    ]


async def _all_delivered(
    http: httpx.AsyncClient, base: str, order_id: str
) -> dict[str, Any] | None:
    order = await get_order(http, base, order_id)
    delivered = all(d["state"] == "delivered" for d in order["deliveries"])
    return order if delivered else None


async def test_a_rejected_order_ends_rejected_with_the_reason(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    await complete(http, system, order["id"], "verify_order", "reject", "discontinued")

    client = await wait_for_state(http, system.client_url, order["id"], "rejected")
    supplier = await get_order(http, system.supplier_url, order["id"])
    assert supplier["state"] == "rejected"
    assert client["end_reason"] == supplier["end_reason"] == "discontinued"
    assert client["quote"] is None


async def test_a_declined_quote_ends_the_order_declined(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    await complete(http, system, order["id"], "verify_order", "approve")
    await complete(http, system, order["id"], "confirm_quote", "decline", "too dear")

    supplier = await wait_for_state(http, system.supplier_url, order["id"], "declined")
    client = await get_order(http, system.client_url, order["id"])
    assert client["state"] == "declined"
    assert supplier["end_reason"] == "too dear"
    assert not [t for t in supplier["tasks"] if t["task_type"] == "confirm_fulfilment"]


async def test_a_disputed_delivery_ends_disputed_on_both_sides(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    await complete(http, system, order["id"], "verify_order", "approve")
    await complete(http, system, order["id"], "confirm_quote", "accept")
    await complete(http, system, order["id"], "confirm_fulfilment", "complete")
    await complete(http, system, order["id"], "confirm_receipt", "dispute", "3 broken")

    supplier = await wait_for_state(http, system.supplier_url, order["id"], "disputed")
    client = await get_order(http, system.client_url, order["id"])
    assert client["state"] == "disputed"
    assert supplier["end_reason"] == client["end_reason"] == "3 broken"


async def test_a_rejection_and_a_dispute_need_a_reason(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    task = await open_task(http, system, order["id"], "verify_order")

    response = await http.post(
        f"{system.supplier_url}/tasks/{task['id']}/complete",
        json={"decision": "reject"},
        auth=As("clara"),
    )

    assert response.status_code == 422
    assert "reason" in response.json()["detail"]
    assert (await get_order(http, system.supplier_url, order["id"]))["state"] == (
        "awaiting_verification"
    )


@pytest.fixture(scope="module")
def short_quotes(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """A system whose quotes are valid for two seconds only."""
    with System.started(
        new_database(),
        tmp_path_factory.mktemp("short-quotes"),
        SUPPLIER_QUOTE_VALIDITY_S="2",
    ) as running:
        yield running


async def test_an_unanswered_quote_expires_on_both_sides(
    http: httpx.AsyncClient, short_quotes: System
) -> None:
    system = short_quotes
    order = await place_order(http, system)
    await complete(http, system, order["id"], "verify_order", "approve")
    task = await open_task(http, system, order["id"], "confirm_quote")

    client = await wait_for_state(http, system.client_url, order["id"], "expired")
    supplier = await wait_for_state(http, system.supplier_url, order["id"], "expired")

    assert client["history"][-1]["element_ids"] == [
        "Client_ConfirmQuote",
        "Client_QuoteExpiry",
        "Client_End_Expired",
    ]
    assert supplier["current_element"] == "Supplier_End_Expired"
    cancelled = next(t for t in client["tasks"] if t["id"] == task["id"])
    assert cancelled["state"] == "cancelled"
    late = await http.post(
        f"{system.client_url}/tasks/{task['id']}/complete",
        json={"decision": "accept"},
        auth=As("bob"),
    )
    assert late.status_code == 409
    assert late.json()["error"] == "Conflict"
