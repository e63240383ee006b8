"""Complete order flows per second, over HTTP between real service processes.

The benchmark places ``--orders`` orders as the buyer, while one worker per human
task type lists the open tasks of its type and completes them (approve, accept,
complete, confirm), as the people of both sides would from their inboxes. It
stops when the supplier counts every order completed. Run it against
`orderflow up`:

    .venv/bin/python scripts/benchmark_flows.py --orders 500

It prints one line: flows, seconds, flows per second. The number depends on the
machine and on what else runs on it; compare runs made one after the other.
"""

import argparse
import asyncio
import json
import time
from pathlib import Path

import httpx

WORKERS = (
    ("supplier", "verify_order", "clara", {"decision": "approve"}),
    ("client", "confirm_quote", "bob", {"decision": "accept"}),
    ("supplier", "confirm_fulfilment", "fay", {"decision": "complete"}),
    ("client", "confirm_receipt", "bob", {"decision": "confirm"}),
)
IDLE_S = 0.05
PAGE = 200
TIMEOUT_S = 600.0

Headers = dict[str, str]


async def login(
    http: httpx.AsyncClient, base: str, user: str, password: str
) -> Headers:
    response = await http.post(
        f"{base}/auth/token", data={"username": user, "password": password}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def completed(http: httpx.AsyncClient, base: str, headers: Headers) -> int:
    response = await http.get(
        f"{base}/orders", params={"state": "completed", "limit": 1}, headers=headers
    )
    response.raise_for_status()
    total: int = response.json()["total"]
    return total


async def work(
    http: httpx.AsyncClient,
    base: str,
    task_type: str,
    body: dict[str, str],
    headers: Headers,
    done: asyncio.Event,
) -> None:
    """Completes open tasks of one type until the run is done."""
    while not done.is_set():
        response = await http.get(
            f"{base}/tasks",
            params={"type": task_type, "state": "open", "limit": PAGE},
            headers=headers,
        )
        response.raise_for_status()
        tasks = response.json()["items"]
        if not tasks:
            await asyncio.sleep(IDLE_S)
            continue
        answers = await asyncio.gather(
            *(
                http.post(
                    f"{base}/tasks/{t['id']}/complete", json=body, headers=headers
                )
                for t in tasks
            )
        )
        for answer in answers:
            if answer.status_code != 200:
                raise RuntimeError(f"{task_type}: {answer.status_code} {answer.text}")


async def run(args: argparse.Namespace) -> None:
    urls = {"client": args.client_url, "supplier": args.supplier_url}
    logins = json.loads(Path(args.logins).read_text())  # noqa: ASYNC240
    passwords = {login["username"]: login["password"] for login in logins}
    limits = httpx.Limits(max_connections=args.concurrency + 2 * PAGE)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        headers = {
            (user, service): await login(http, base, user, passwords[user])
            for user in ("bob", "clara", "fay")
            for service, base in urls.items()
        }
        before = await completed(http, urls["supplier"], headers["clara", "supplier"])
        done = asyncio.Event()
        workers = [
            asyncio.create_task(
                work(http, urls[service], task_type, body, headers[user, service], done)
            )
            for service, task_type, user, body in WORKERS
        ]
        gate = asyncio.Semaphore(args.concurrency)
        order = {"customer_id": "ALFKI", "lines": [{"product_id": 11, "quantity": 3}]}

        async def place() -> None:
            async with gate:
                response = await http.post(
                    f"{urls['client']}/orders",
                    json=order,
                    headers=headers["bob", "client"],
                )
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(place() for _ in range(args.orders)))
        deadline = started + TIMEOUT_S
        while time.perf_counter() < deadline:
            now = await completed(http, urls["supplier"], headers["clara", "supplier"])
            if now - before >= args.orders:
                break
            if any(worker.done() for worker in workers):
                break
            await asyncio.sleep(IDLE_S)
        elapsed = time.perf_counter() - started
        done.set()
        await asyncio.gather(*workers)
    print(
        f"{args.orders} flows in {elapsed:.1f} s: {args.orders / elapsed:.1f} flows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client-url", default="http://127.0.0.1:8001")
    parser.add_argument("--supplier-url", default="http://127.0.0.1:8002")
    parser.add_argument("--logins", default=".data/logins.json")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
