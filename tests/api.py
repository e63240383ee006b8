"""Driving the system through its HTTP APIs, as a user or the other service would."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.system import As, System

END_STATES = {"completed", "rejected", "declined", "expired", "disputed"}
CLERK_TASKS = {"verify_order", "confirm_fulfilment"}
# Who does each task in the tests, by role.
WORKER = {
    "verify_order": "clara",
    "confirm_quote": "bob",
    "confirm_fulfilment": "fay",
    "confirm_receipt": "bob",
}


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout_s: float = 30, what: str
) -> Any:
    """Polls ``check`` until it returns something truthy, else fails naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.1)


async def place_order(
    http: httpx.AsyncClient, system: System, **overrides: Any
) -> dict[str, Any]:
    body = {
        "customer_id": "ALFKI",
        "lines": [
            {"product_id": 11, "quantity": 12, "requested_unit_price": "14.00"},
            {"product_id": 42, "quantity": 10, "discount": "0.05"},
        ],
        **overrides,
    }
    response = await http.post(f"{system.client_url}/orders", json=body, auth=As("bob"))
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def get_order(
    http: httpx.AsyncClient, base: str, order_id: str
) -> dict[str, Any]:
    response = await http.get(f"{base}/orders/{order_id}")
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()
    return order


def base_of(system: System, task_type: str) -> str:
    return system.supplier_url if task_type in CLERK_TASKS else system.client_url


async def open_task(
    http: httpx.AsyncClient, system: System, order_id: str, task_type: str
) -> dict[str, Any]:
    """Waits for the order's open task of ``task_type`` and returns it."""
    base = base_of(system, task_type)

    async def find() -> dict[str, Any] | None:
        response = await http.get(
            f"{base}/tasks",
            params={"order_id": order_id, "type": task_type, "state": "open"},
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        return items[0] if items else None

    task: dict[str, Any] = await eventually(find, what=f"{task_type} of {order_id}")
    return task


async def complete(
    http: httpx.AsyncClient,
    system: System,
    order_id: str,
    task_type: str,
    decision: str,
    comment: str | None = None,
) -> dict[str, Any]:
    task = await open_task(http, system, order_id, task_type)
    response = await http.post(
        f"{base_of(system, task_type)}/tasks/{task['id']}/complete",
        json={"decision": decision, "comment": comment},
        auth=As(WORKER[task_type]),
    )
    assert response.status_code == 200, response.text
    done: dict[str, Any] = response.json()
    return done


async def wait_for_state(
    http: httpx.AsyncClient, base: str, order_id: str, state: str, timeout_s: float = 30
) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        order = await get_order(http, base, order_id)
        return order if order["state"] == state else None

    order: dict[str, Any] = await eventually(
        reached, timeout_s=timeout_s, what=f"order {order_id} to be {state} at {base}"
    )
    return order


async def drive_to_completion(
    http: httpx.AsyncClient, system: System, order_id: str
) -> None:
    await complete(http, system, order_id, "verify_order", "approve")
    await complete(http, system, order_id, "confirm_quote", "accept")
    await complete(http, system, order_id, "confirm_fulfilment", "complete", "shipped")
    await complete(http, system, order_id, "confirm_receipt", "confirm")
