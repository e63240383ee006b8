"""Who may do what: tokens, roles, and the webhook endpoint's own rules."""

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from tests.api import open_task, place_order
from tests.system import As, System


def forged(system: System, service: str, **changes: object) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": "ada",
        "roles": ["admin"],
        "iss": service,
        "aud": service,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        **changes,
    }
    return jwt.encode(claims, system.env[f"{service.upper()}_JWT_SECRET"], "HS256")


def unsigned(system: System) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims: dict[str, object] = {
        "sub": "ada",
        "roles": ["admin"],
        "iss": "client",
        "aud": "client",
    }
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def test_a_request_without_a_token_gets_401(system: System) -> None:
    async with httpx.AsyncClient() as anonymous:
        for url in (f"{system.client_url}/tasks", f"{system.client_url}/orders"):
            response = await anonymous.get(url)
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("kind", ["expired", "tampered", "alg none", "foreign", "junk"])
async def test_a_bad_token_gets_401(system: System, kind: str) -> None:
    if kind == "expired":
        past = datetime.now(UTC) - timedelta(hours=1)
        token = forged(system, "client", iat=past, exp=past + timedelta(minutes=1))
    elif kind == "tampered":
        header, payload, signature = system.token("client", "bob").split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["roles"] = ["admin"]
        raw = json.dumps(claims).encode()
        payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        token = f"{header}.{payload}.{signature}"
    elif kind == "alg none":
        token = unsigned(system)
    elif kind == "foreign":
        token = system.token("supplier", "ada")
    else:
        token = "not-a-token"

    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{system.client_url}/tasks", headers={"Authorization": f"Bearer {token}"}
        )

    assert response.status_code == 401, response.text
    assert response.json()["error"] == "InvalidToken"


async def test_a_wrong_password_gets_401(system: System) -> None:
    async with httpx.AsyncClient() as client:
        for username, password in (("bob", "wrong"), ("nobody", "wrong")):
            response = await client.post(
                f"{system.client_url}/auth/token",
                data={"username": username, "password": password},
            )
            assert response.status_code == 401


async def test_tasks_are_seen_and_done_only_by_their_role(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    verify = await open_task(http, system, order["id"], "verify_order")
    url = f"{system.supplier_url}/tasks/{verify['id']}"

    as_buyer = await http.get(url, auth=As("bob"))
    buyer_list = await http.get(f"{system.supplier_url}/tasks", auth=As("bob"))
    as_viewer = await http.get(url, auth=As("vic"))
    viewer_done = await http.post(
        f"{url}/complete", json={"decision": "approve"}, auth=As("vic")
    )
    fulfilment_done = await http.post(
        f"{url}/complete", json={"decision": "approve"}, auth=As("fay")
    )
    clerk_done = await http.post(
        f"{url}/complete", json={"decision": "approve"}, auth=As("clara")
    )

    assert as_buyer.status_code == 403
    assert buyer_list.json()["items"] == []
    assert as_viewer.status_code == 200
    assert viewer_done.status_code == fulfilment_done.status_code == 403
    assert "clerk" in fulfilment_done.json()["detail"]
    assert clerk_done.status_code == 200
    assert clerk_done.json()["completed_by"] == "clara"


async def test_only_buyers_place_orders_and_only_admins_redeliver(
    http: httpx.AsyncClient, system: System
) -> None:
    body = {"customer_id": "ALFKI", "lines": [{"product_id": 1, "quantity": 1}]}
    by_viewer = await http.post(
        f"{system.client_url}/orders", json=body, auth=As("vic")
    )
    by_clerk = await http.post(
        f"{system.client_url}/orders", json=body, auth=As("clara")
    )
    redeliver = await http.post(
        f"{system.client_url}/outbox/messages/msg_x/redeliver", auth=As("bob")
    )

    assert by_viewer.status_code == by_clerk.status_code == 403
    assert redeliver.status_code == 403


async def test_the_webhook_endpoint_takes_no_user_token(
    http: httpx.AsyncClient, system: System
) -> None:
    response = await http.post(
        f"{system.supplier_url}/webhooks",
        content=b'{"type": "order.placed", "timestamp": "2026-01-01T00:00:00Z"}',
        headers={"content-type": "application/json"},
        auth=As("ada"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "InvalidSignature"


async def test_an_admin_reassigns_a_task_and_it_is_in_the_history(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    task = await open_task(http, system, order["id"], "verify_order")
    url = f"{system.supplier_url}/tasks/{task['id']}"
    await http.post(f"{url}/claim", auth=As("clara"))

    by_clerk = await http.post(
        f"{url}/assign", json={"assignee": "carl"}, auth=As("clara")
    )
    by_admin = await http.post(
        f"{url}/assign", json={"assignee": "carl"}, auth=As("ada")
    )
    by_clara = await http.post(
        f"{url}/complete", json={"decision": "approve"}, auth=As("clara")
    )
    by_carl = await http.post(
        f"{url}/complete", json={"decision": "approve"}, auth=As("carl")
    )

    assert by_clerk.status_code == 403
    assert by_admin.status_code == 200
    assert by_admin.json()["assignee"] == "carl"
    assert by_clara.status_code == 409
    assert by_carl.status_code == 200
    detail = (await http.get(f"{system.supplier_url}/orders/{order['id']}")).json()
    actions = [(h["cause"], h["actor"]) for h in detail["history"] if not h["to_state"]]
    assert actions == [
        ("task:claimed", "clara"),
        ("task:assigned", "ada"),
        ("task:completed", "carl"),
    ]


async def test_a_task_is_reassigned_only_to_someone_who_may_do_it(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    task = await open_task(http, system, order["id"], "verify_order")
    url = f"{system.supplier_url}/tasks/{task['id']}/assign"

    nobody = await http.post(url, json={"assignee": "nobody"})
    buyer = await http.post(url, json={"assignee": "bob"})

    assert nobody.status_code == buyer.status_code == 422
    assert "clerk" in buyer.json()["detail"]
    again = await http.get(f"{system.supplier_url}/tasks/{task['id']}")
    assert again.json()["state"] == "open"


async def test_a_cookie_borne_post_from_another_origin_is_refused(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    task = await open_task(http, system, order["id"], "verify_order")
    token = system.token("supplier", "clara")
    cookie = {"cookie": f"orderflow_session_supplier={token}"}
    url = f"{system.supplier_url}/tasks/{task['id']}/claim"

    async with httpx.AsyncClient() as browser:
        foreign = await browser.post(
            url, headers={**cookie, "origin": system.client_url}
        )
        unnamed = await browser.post(url, headers=cookie)
        basic = await browser.post(
            url,
            headers={
                **cookie,
                "origin": system.client_url,
                "authorization": "Basic Zm9vOmJhcg==",
            },
        )
        own = await browser.post(url, headers={**cookie, "origin": system.supplier_url})

    assert foreign.status_code == unnamed.status_code == basic.status_code == 403
    assert own.status_code == 200
    assert own.json()["assignee"] == "clara"


async def test_an_order_shows_only_the_tasks_and_deliveries_a_role_may_see(
    http: httpx.AsyncClient, system: System
) -> None:
    order = await place_order(http, system)
    await open_task(http, system, order["id"], "verify_order")
    url = f"{system.supplier_url}/orders/{order['id']}"

    as_buyer = (await http.get(url, auth=As("bob"))).json()
    as_clerk = (await http.get(url, auth=As("clara"))).json()
    as_viewer = (await http.get(url, auth=As("vic"))).json()

    assert (as_buyer["tasks"], as_buyer["deliveries"]) == ([], [])
    assert [t["task_type"] for t in as_clerk["tasks"]] == ["verify_order"]
    assert as_clerk["deliveries"] == []
    assert [t["task_type"] for t in as_viewer["tasks"]] == ["verify_order"]
    assert as_buyer["history"] == as_viewer["history"]
