"""Replaying Northwind-format orders through the APIs of both services.

The replay places every order on the client service, then plays the people of
both sides through the task APIs until each order has reached an end:

- the clerk rejects an order with a product that is unknown or discontinued, and
  approves every other one;
- the buyer declines a quote whose total is above ``max_quote_total``;
- the fulfilment team completes every accepted order;
- the buyer disputes the delivery of every order whose Northwind id is a multiple
  of ``dispute_every``, and confirms the rest.
"""

import asyncio
import csv
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from orderflow.users import Login

END_STATES = ("completed", "rejected", "declined", "expired", "disputed")
PAGE = 500


@dataclass(frozen=True)
class Policy:
    max_quote_total: float
    dispute_every: int


@dataclass(frozen=True)
class SourceOrder:
    source_id: str
    customer_id: str
    order_date: date
    required_date: date | None
    lines: list[dict[str, Any]]


def read_orders(folder: Path, limit: int | None = None) -> list[SourceOrder]:
    """Reads ``orders.csv`` and ``order_details.csv`` in the Northwind format."""
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with (folder / "order_details.csv").open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            lines[row["order_id"]].append(
                {
                    "product_id": int(row["product_id"]),
                    "quantity": int(row["quantity"]),
                    "requested_unit_price": row["unit_price"] or None,
                    "discount": str(Decimal(row["discount"] or "0")),
                }
            )
    orders = []
    with (folder / "orders.csv").open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            orders.append(
                SourceOrder(
                    source_id=row["order_id"],
                    customer_id=row["customer_id"],
                    order_date=date.fromisoformat(row["order_date"]),
                    required_date=(
                        date.fromisoformat(row["required_date"])
                        if row["required_date"]
                        else None
                    ),
                    lines=lines[row["order_id"]],
                )
            )
    return orders[:limit] if limit else orders


def order_request(order: SourceOrder, today: date) -> dict[str, Any]:
    """The order as placed today: its delivery date keeps the original lead time."""
    request: dict[str, Any] = {"customer_id": order.customer_id, "lines": order.lines}
    if order.required_date:
        request["requested_delivery_date"] = (
            today + (order.required_date - order.order_date)
        ).isoformat()
    return request


# Which role acts on each service, and on which of its tasks.
ROLE_OF_TASK = {
    "verify_order": "clerk",
    "confirm_quote": "buyer",
    "confirm_fulfilment": "fulfilment",
    "confirm_receipt": "buyer",
}


class Replay:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        client_url: str,
        supplier_url: str,
        policy: Policy,
        concurrency: int,
        logins: list[Login],
    ) -> None:
        self._http = http
        self._client = client_url.rstrip("/")
        self._supplier = supplier_url.rstrip("/")
        self._policy = policy
        self._gate = asyncio.Semaphore(concurrency)
        self._logins = logins
        self._tokens: dict[tuple[str, str], str] = {}
        self.source_of: dict[str, SourceOrder] = {}
        self.failures: Counter[str] = Counter()

    async def log_in(self) -> None:
        """Logs in once per service as someone of each role the replay plays."""
        for base, roles in (
            (self._client, ("buyer",)),
            (self._supplier, ("clerk", "fulfilment")),
        ):
            for role in roles:
                login = next((x for x in self._logins if role in x["roles"]), None)
                if login is None:
                    raise SystemExit(f"the logins file has nobody with the {role} role")
                response = await self._http.post(
                    f"{base}/auth/token",
                    data={"username": login["username"], "password": login["password"]},
                )
                if response.status_code != 200:
                    raise SystemExit(
                        f"{login['username']} cannot log in to {base}: {response.text}"
                    )
                self._tokens[(base, role)] = response.json()["access_token"]

    async def _call(
        self, method: str, url: str, *, role: str, **kwargs: Any
    ) -> httpx.Response:
        base = self._client if url.startswith(self._client) else self._supplier
        headers = {"Authorization": f"Bearer {self._tokens[(base, role)]}"}
        async with self._gate:
            return await self._http.request(method, url, headers=headers, **kwargs)

    async def place(self, order: SourceOrder, today: date) -> None:
        response = await self._call(
            "POST",
            f"{self._client}/orders",
            role="buyer",
            json=order_request(order, today),
        )
        if response.status_code != 201:
            self.failures[f"place {response.status_code}"] += 1
            return
        self.source_of[response.json()["id"]] = order

    async def act_on_open_tasks(self) -> int:
        """Completes every open task of the replayed orders; returns how many."""
        calls = []
        for base, task_type in (
            (self._supplier, "verify_order"),
            (self._client, "confirm_quote"),
            (self._supplier, "confirm_fulfilment"),
            (self._client, "confirm_receipt"),
        ):
            for task in await self._open_tasks(base, task_type):
                if task["order_id"] in self.source_of:
                    calls.append(self._complete(base, task))
        await asyncio.gather(*calls)
        return len(calls)

    async def _open_tasks(self, base: str, task_type: str) -> list[dict[str, Any]]:
        response = await self._call(
            "GET",
            f"{base}/tasks",
            role=ROLE_OF_TASK[task_type],
            params={"type": task_type, "state": "open", "limit": PAGE},
        )
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def _complete(self, base: str, task: dict[str, Any]) -> None:
        decision, comment = self.decide(task)
        response = await self._call(
            "POST",
            f"{base}/tasks/{task['id']}/complete",
            role=ROLE_OF_TASK[task["task_type"]],
            json={"decision": decision, "comment": comment, "version": task["version"]},
        )
        if response.status_code != 200:
            self.failures[f"{task['task_type']} {response.status_code}"] += 1

    def decide(self, task: dict[str, Any]) -> tuple[str, str | None]:
        form = task["form"]
        source = self.source_of[task["order_id"]]
        if task["task_type"] == "verify_order":
            bad = [
                str(line["product_id"])
                for line in form["lines"]
                if not line["exists"] or line["discontinued"]
            ]
            if bad:
                reason = "unknown or discontinued products: " + ", ".join(bad)
                return "reject", reason
            return "approve", None
        if task["task_type"] == "confirm_quote":
            total = Decimal(form["quote"]["total"])
            if total > Decimal(str(self._policy.max_quote_total)):
                return "decline", f"total {total} is above budget"
            return "accept", None
        if task["task_type"] == "confirm_fulfilment":
            return "complete", "shipped"
        if int(source.source_id) % self._policy.dispute_every == 0:
            return "dispute", "delivery incomplete"
        return "confirm", None

    async def ended(self, base: str, since: datetime) -> dict[str, dict[str, Any]]:
        """The replayed orders that reached an end on one service, by order id."""
        found: dict[str, dict[str, Any]] = {}
        for state in END_STATES:
            offset = 0
            while True:
                response = await self._call(
                    "GET",
                    f"{base}/orders",
                    role="buyer" if base == self._client else "clerk",
                    params={"state": state, "limit": PAGE, "offset": offset},
                )
                response.raise_for_status()
                items = response.json()["items"]
                for item in items:
                    if item["id"] in self.source_of:
                        found[item["id"]] = item
                old = items and datetime.fromisoformat(items[-1]["placed_at"]) < since
                if len(items) < PAGE or old:
                    break
                offset += PAGE
        return found


async def replay(
    folder: Path,
    *,
    client_url: str,
    supplier_url: str,
    policy: Policy,
    limit: int | None,
    concurrency: int,
    timeout_s: float,
    as_json: bool,
    logins: list[Login],
) -> int:
    orders = read_orders(folder, limit)
    console = Console(stderr=as_json)
    started = time.monotonic()
    since = datetime.now(UTC)
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency
    )
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        run = Replay(
            http,
            client_url=client_url,
            supplier_url=supplier_url,
            policy=policy,
            concurrency=concurrency,
            logins=logins,
        )
        await run.log_in()
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            placing = progress.add_task("placing orders", total=len(orders))
            today = datetime.now(UTC).date()

            async def place(order: SourceOrder) -> None:
                await run.place(order, today)
                progress.advance(placing)

            await asyncio.gather(*(place(order) for order in orders))

            ending = progress.add_task("orders ended", total=len(run.source_of))
            deadline = time.monotonic() + timeout_s
            client_ended: dict[str, dict[str, Any]] = {}
            supplier_ended: dict[str, dict[str, Any]] = {}
            while time.monotonic() < deadline:
                acted = await run.act_on_open_tasks()
                client_ended = await run.ended(client_url, since)
                supplier_ended = await run.ended(supplier_url, since)
                done = len(client_ended.keys() & supplier_ended.keys())
                progress.update(ending, completed=done)
                if done == len(run.source_of):
                    break
                if not acted:
                    await asyncio.sleep(0.5)

    elapsed = time.monotonic() - started
    report = {
        "orders": len(run.source_of),
        "unfinished": len(run.source_of)
        - len(client_ended.keys() & supplier_ended.keys()),
        "client": dict(Counter(o["state"] for o in client_ended.values())),
        "supplier": dict(Counter(o["state"] for o in supplier_ended.values())),
    }
    _print_summary(console, report, client_ended, elapsed, run.failures)
    if as_json:
        print(json.dumps(report))
    return 0 if report["unfinished"] == 0 and not run.failures else 1


def _print_summary(
    console: Console,
    report: dict[str, Any],
    client_ended: dict[str, dict[str, Any]],
    elapsed_s: float,
    failures: Counter[str],
) -> None:
    table = Table(title="Final states")
    table.add_column("state")
    table.add_column("client", justify="right")
    table.add_column("supplier", justify="right")
    table.add_column("median time to end (s)", justify="right")
    for state in END_STATES:
        durations = sorted(
            (
                datetime.fromisoformat(o["ended_at"])
                - datetime.fromisoformat(o["placed_at"])
            ).total_seconds()
            for o in client_ended.values()
            if o["state"] == state
        )
        median = f"{durations[len(durations) // 2]:.2f}" if durations else "-"
        table.add_row(
            state,
            str(report["client"].get(state, 0)),
            str(report["supplier"].get(state, 0)),
            median,
        )
    console.print(table)
    rate = report["orders"] / elapsed_s if elapsed_s else 0.0
    console.print(
        f"{report['orders']} orders in {elapsed_s:.1f} s ({rate:.1f} orders/s), "
        f"{report['unfinished']} unfinished"
    )
    for failure, count in failures.items():
        console.print(f"[red]{count} requests failed: {failure}[/red]")
