"""Outages, duplicates, forgeries and races: nothing lost, nothing applied twice."""

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.messages import (
    Customer,
    Envelope,
    MessageType,
    OrderPlaced,
    PlacedLine,
    QuoteAccepted,
)
from shared.signing import Signer
from tests.api import (
    drive_to_completion,
    eventually,
    get_order,
    open_task,
    place_order,
    wait_for_state,
)
from tests.system import As, System


def order_placed_data(order_id: uuid.UUID) -> dict[str, Any]:
    payload = OrderPlaced(
        order_id=order_id,
        customer=Customer(customer_id="BLAUS", company_name="Blauer See Delikatessen"),
        lines=[PlacedLine(line_no=1, product_id=7, quantity=3)],
        requested_delivery_date=None,
        placed_at=datetime.now(UTC),
    )
    return payload.model_dump(mode="json")


def signed(
    system: System, data: dict[str, Any], *, message_id: str, secret: str | None = None
) -> tuple[str, dict[str, str]]:
    """An ``order.placed`` webhook carrying ``data``, signed like the client signs."""
    now = datetime.now(UTC)
    envelope = {"type": "order.placed", "timestamp": now.isoformat(), "data": data}
    body = json.dumps(envelope)
    signer = Signer(secret or system.secret("CLIENT_TO_SUPPLIER"))
    headers = signer.headers(message_id, now, body)
    return body, {**headers, "content-type": "application/json"}


def signed_order_placed(
    system: System, *, message_id: str, order_id: uuid.UUID, secret: str | None = None
) -> tuple[str, dict[str, str]]:
    return signed(
        system, order_placed_data(order_id), message_id=message_id, secret=secret
    )


async def test_a_duplicate_webhook_is_acknowledged_and_changes_nothing(
    http: httpx.AsyncClient, system: System
) -> None:
    order_id = uuid.uuid4()
    message_id = f"msg_{uuid.uuid4().hex}"
    body, headers = signed_order_placed(
        system, message_id=message_id, order_id=order_id
    )

    first = await http.post(
        f"{system.supplier_url}/webhooks", content=body, headers=headers
    )
    again = await http.post(
        f"{system.supplier_url}/webhooks", content=body, headers=headers
    )

    assert first.status_code == again.status_code == 200
    assert (first.json()["status"], again.json()["status"]) == ("applied", "duplicate")
    order = await get_order(http, system.supplier_url, str(order_id))
    assert len(order["tasks"]) == 1
    assert len(order["history"]) == 1


@pytest.mark.parametrize(
    "forgery",
    ["wrong secret", "tampered body", "missing signature", "stale timestamp"],
)
async def test_a_forged_webhook_is_refused_and_stores_nothing(
    http: httpx.AsyncClient, system: System, forgery: str
) -> None:
    order_id = uuid.uuid4()
    message_id = f"msg_{uuid.uuid4().hex}"
    secret = system.secret("SUPPLIER_TO_CLIENT") if forgery == "wrong secret" else None
    body, headers = signed_order_placed(
        system, message_id=message_id, order_id=order_id, secret=secret
    )
    if forgery == "tampered body":
        body = body.replace('"quantity": 3', '"quantity": 300')
    elif forgery == "missing signature":
        del headers["webhook-signature"]
    elif forgery == "stale timestamp":
        old = datetime.now(UTC) - timedelta(minutes=6)
        signer = Signer(system.secret("CLIENT_TO_SUPPLIER"))
        headers.update(signer.headers(message_id, old, body))

    response = await http.post(
        f"{system.supplier_url}/webhooks", content=body, headers=headers
    )

    assert response.status_code == 401
    assert response.json()["error"] == "InvalidSignature"
    missing = await http.get(f"{system.supplier_url}/orders/{order_id}")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "mangle",
    ["no lines", "repeated line number", "huge product id", "naive timestamp"],
)
async def test_a_signed_but_malformed_message_is_refused_with_422(
    http: httpx.AsyncClient, system: System, mangle: str
) -> None:
    order_id = uuid.uuid4()
    data = order_placed_data(order_id)
    line = data["lines"][0]
    if mangle == "no lines":
        data["lines"] = []
    elif mangle == "repeated line number":
        data["lines"] = [line, {**line, "product_id": 8}]
    elif mangle == "huge product id":
        line["product_id"] = 2**40
    else:
        data["placed_at"] = "2026-12-01T10:00:00"
    body, headers = signed(system, data, message_id=f"msg_{uuid.uuid4().hex}")

    response = await http.post(
        f"{system.supplier_url}/webhooks", content=body, headers=headers
    )

    assert response.status_code == 422, response.text
    missing = await http.get(f"{system.supplier_url}/orders/{order_id}")
    assert missing.status_code == 404


async def test_a_message_that_does_not_fit_the_state_is_refused_with_409(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    await open_task(http, system, order["id"], "verify_order")
    now = datetime.now(UTC)
    payload = QuoteAccepted(
        order_id=order["id"], quote_id=uuid.uuid4(), accepted_at=now
    )
    body = Envelope(
        type=MessageType.QUOTE_ACCEPTED,
        timestamp=now,
        data=payload.model_dump(mode="json"),
    ).model_dump_json()
    message_id = f"msg_{uuid.uuid4().hex}"
    headers = Signer(system.secret("CLIENT_TO_SUPPLIER")).headers(message_id, now, body)

    response = await http.post(
        f"{system.supplier_url}/webhooks", content=body, headers=headers
    )

    assert response.status_code == 409
    assert "awaiting_verification" in response.json()["detail"]
    supplier = await get_order(http, system.supplier_url, order["id"])
    assert supplier["state"] == "awaiting_verification"
    assert len(supplier["history"]) == 1


async def test_two_concurrent_completions_of_one_task_give_one_success(
    http: httpx.AsyncClient, system: System
) -> None:
    for _ in range(5):
        order = await place_order(http, system)
        task = await open_task(http, system, order["id"], "verify_order")
        url = f"{system.supplier_url}/tasks/{task['id']}/complete"

        answers = await asyncio.gather(
            http.post(url, json={"decision": "approve"}, auth=As("clara")),
            http.post(
                url, json={"decision": "reject", "comment": "no"}, auth=As("carl")
            ),
        )

        assert sorted(a.status_code for a in answers) == [200, 409]
        winner = next(a.json() for a in answers if a.status_code == 200)
        expected = "quoting" if winner["decision"] == "approve" else "rejected"
        supplier = await get_order(http, system.supplier_url, order["id"])
        assert supplier["state"] in {expected, "awaiting_quote_response"}
        completions = [h for h in supplier["history"] if h["cause"] == "task:completed"]
        assert len(completions) == 1


async def test_a_claimed_task_cannot_be_completed_by_someone_else(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    task = await open_task(http, system, order["id"], "verify_order")
    base = f"{system.supplier_url}/tasks/{task['id']}"

    claimed = await http.post(f"{base}/claim", auth=As("clara"))
    taken = await http.post(
        f"{base}/complete", json={"decision": "approve"}, auth=As("carl")
    )
    stale = await http.post(
        f"{base}/complete",
        json={"decision": "approve", "version": task["version"]},
        auth=As("clara"),
    )
    done = await http.post(
        f"{base}/complete", json={"decision": "approve"}, auth=As("clara")
    )

    assert claimed.status_code == 200
    assert claimed.json()["assignee"] == "clara"
    assert taken.status_code == 409
    assert "claimed by clara" in taken.json()["detail"]
    assert stale.status_code == 409
    assert done.status_code == 200
    assert done.json()["completed_by"] == "clara"


@pytest.fixture(scope="module")
def outage(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    with System.started(new_database(), tmp_path_factory.mktemp("outage")) as running:
        yield running


async def test_orders_placed_while_the_supplier_is_down_all_complete(
    http: httpx.AsyncClient, outage: System
) -> None:
    system = outage
    system.stop("supplier")
    orders = [await place_order(http, system) for _ in range(4)]

    async def retried() -> bool:
        response = await http.get(f"{system.client_url}/outbox/messages")
        messages = response.json()
        return all(m["attempts"] > 0 and m["state"] == "pending" for m in messages)

    await eventually(retried, what="the client to fail and reschedule every message")
    system.start("supplier")

    await asyncio.gather(*(drive_to_completion(http, system, o["id"]) for o in orders))
    for order in orders:
        await wait_for_state(http, system.supplier_url, order["id"], "completed")
        supplier = await get_order(http, system.supplier_url, order["id"])
        steps = [h["cause"] for h in supplier["history"] if h["to_state"]]
        assert steps == sorted(set(steps), key=steps.index), "a step was applied twice"
        assert steps[0] == "message:order.placed"
        client = await get_order(http, system.client_url, order["id"])
        placed = client["deliveries"][0]
        assert placed["event_type"] == "order.placed"
        assert placed["attempts"] > 1
        assert placed["state"] == "delivered"


@pytest.fixture(scope="module")
def impatient(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """A system that gives up on a delivery after two short retries."""
    with System.started(
        new_database(),
        tmp_path_factory.mktemp("impatient"),
        CLIENT_OUTBOX_RETRY_SCHEDULE_S="[0.2, 0.2]",
    ) as running:
        yield running


async def test_a_delivery_that_failed_for_good_can_be_redelivered(
    http: httpx.AsyncClient, impatient: System
) -> None:
    system = impatient
    system.stop("supplier")
    order = await place_order(http, system)

    async def failed() -> list[dict[str, object]]:
        response = await http.get(
            f"{system.client_url}/outbox/messages", params={"state": "failed"}
        )
        return list(response.json())

    [message] = await eventually(failed, what="the delivery to fail for good")
    detail = (
        await http.get(f"{system.client_url}/outbox/messages/{message['id']}")
    ).json()
    assert len(detail["attempt_log"]) == detail["attempts"] >= 3
    assert all(a["status_code"] is None and a["error"] for a in detail["attempt_log"])

    system.start("supplier")
    response = await http.post(
        f"{system.client_url}/outbox/messages/{message['id']}/redeliver"
    )
    assert response.status_code == 200
    await open_task(http, system, order["id"], "verify_order")
    again = await http.post(
        f"{system.client_url}/outbox/messages/{message['id']}/redeliver"
    )
    assert again.status_code == 409
    client = await get_order(http, system.client_url, order["id"])
    redelivered = [h for h in client["history"] if h["cause"] == "outbox:redelivered"]
    assert [(h["actor"], h["detail"]["message_id"]) for h in redelivered] == [
        ("ada", message["id"])
    ]


@pytest.fixture(scope="module")
def replicas(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """A system whose client runs two more dispatcher processes beside its own."""
    log_dir = tmp_path_factory.mktemp("replicas")
    with System.started(new_database(), log_dir) as running:
        dispatchers = [running.spawn_dispatcher("client") for _ in range(2)]
        try:
            yield running
        finally:
            for dispatcher in dispatchers:
                dispatcher.terminate()
                dispatcher.wait(timeout=15)


async def test_dispatcher_replicas_send_each_message_once(
    http: httpx.AsyncClient, replicas: System
) -> None:
    system = replicas
    orders = await asyncio.gather(*(place_order(http, system) for _ in range(30)))

    async def all_received() -> bool:
        response = await http.get(f"{system.supplier_url}/orders", params={"limit": 1})
        total: int = response.json()["total"]
        return total == len(orders)

    await eventually(all_received, what="every order to reach the supplier")
    messages = (
        await http.get(f"{system.client_url}/outbox/messages", params={"limit": 100})
    ).json()
    assert len(messages) == len(orders)

    async def all_recorded() -> bool:
        response = await http.get(
            f"{system.client_url}/outbox/messages", params={"state": "pending"}
        )
        pending: list[object] = response.json()
        return not pending

    await eventually(all_recorded, what="every delivery to be recorded")
    for order in orders:
        detail = await get_order(http, system.client_url, order["id"])
        [delivery] = detail["deliveries"]
        assert (delivery["state"], delivery["attempts"]) == ("delivered", 1)
