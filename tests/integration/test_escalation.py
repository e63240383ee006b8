"""Human tasks left past their due time are escalated once, replicas or not."""

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.api import eventually, get_order, open_task, place_order
from tests.system import As, System


@pytest.fixture(scope="module")
def hurried(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """Verification is due one second after an order arrives; two replicas watch."""
    with System.started(
        new_database(),
        tmp_path_factory.mktemp("hurried"),
        SUPPLIER_TASK_DUE_S='{"verify_order": 1}',
    ) as running:
        replica = running.spawn_dispatcher("supplier")
        try:
            yield running
        finally:
            replica.terminate()
            replica.wait(timeout=15)


async def test_an_overdue_task_is_escalated_exactly_once(
    http: httpx.AsyncClient, hurried: System
) -> None:
    system = hurried
    orders = await asyncio.gather(*(place_order(http, system) for _ in range(5)))
    tasks = [await open_task(http, system, o["id"], "verify_order") for o in orders]

    for task in tasks:
        url = f"{system.supplier_url}/tasks/{task['id']}"

        async def escalated(url: str = url) -> dict[str, Any] | None:
            found: dict[str, Any] = (await http.get(url)).json()
            return found if found["escalated_at"] else None

        done = await eventually(escalated, what="the task to be escalated")
        assert done["priority"] == task["priority"] + 25
        assert done["state"] == "open"

    await asyncio.sleep(1.5)  # several more passes of both escalation loops
    for order in orders:
        supplier = await get_order(http, system.supplier_url, order["id"])
        escalations = [
            h for h in supplier["history"] if h["cause"] == "timer:task_overdue"
        ]
        assert [h["element_ids"] for h in escalations] == [
            [
                "Supplier_VerifyOrder",
                "Supplier_VerifyOrder_Overdue",
                "Supplier_VerifyOrder_Escalated",
            ]
        ]
        assert supplier["state"] == "awaiting_verification"


async def test_an_escalated_task_can_still_be_completed(
    http: httpx.AsyncClient, hurried: System
) -> None:
    system = hurried
    order = await place_order(http, system)
    task = await open_task(http, system, order["id"], "verify_order")

    async def escalated() -> bool:
        response = await http.get(f"{system.supplier_url}/tasks/{task['id']}")
        return response.json()["escalated_at"] is not None

    await eventually(escalated, what="the task to be escalated")
    response = await http.post(
        f"{system.supplier_url}/tasks/{task['id']}/complete",
        json={"decision": "approve"},
        auth=As("clara"),
    )
    assert response.status_code == 200
