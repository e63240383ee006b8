"""Every analytics figure equals the same statistic computed here from the raw rows.

A system of its own, with its background workers off, gets several hundred
orders per service written straight into its schemas: random walks through the
service's process definition with history, human tasks, outbox messages and
delivery attempts. The expected values are computed in Python from ``SELECT *``
of those tables, never with the queries under test; percentiles use the
definition of ``percentile_cont`` (linear interpolation between closest ranks).
"""

import asyncio
import csv
import io
import json
import math
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

import asyncpg
import httpx
import pytest

from client_service.process import PROCESS as CLIENT_PROCESS
from shared.db import plain_dsn
from shared.messages import MessageType
from shared.process import ProcessDefinition, TriggerKind
from supplier_service.process import PROCESS as SUPPLIER_PROCESS
from tests.system import As, System

ORDERS_PER_SERVICE = 320
NOW = datetime.now(UTC)
END_STATES = ["rejected", "declined", "expired", "completed", "disputed"]
# The funnels as a person reads them off the BPMN model, written out by hand.
FUNNELS = {
    "client": (
        [
            "awaiting_verification",
            "awaiting_quote_decision",
            "awaiting_fulfilment",
            "awaiting_receipt",
            "completed",
        ],
        {
            "awaiting_verification": ["rejected"],
            "awaiting_quote_decision": ["declined", "expired"],
            "awaiting_receipt": ["disputed"],
        },
    ),
    "supplier": (
        [
            "awaiting_verification",
            "quoting",
            "awaiting_quote_response",
            "in_fulfilment",
            "awaiting_receipt",
            "completed",
        ],
        {
            "awaiting_verification": ["rejected"],
            "awaiting_quote_response": ["declined", "expired"],
            "awaiting_receipt": ["disputed"],
        },
    ),
}
# Where the quote waits for its answer, and where an accepted one goes.
QUOTE_STATES = {
    "client": ("awaiting_quote_decision", "awaiting_fulfilment"),
    "supplier": ("awaiting_quote_response", "in_fulfilment"),
}
TASK_TYPES = {
    "client": ["confirm_quote", "confirm_receipt"],
    "supplier": ["verify_order", "confirm_fulfilment"],
}
WORKERS = {
    "buyer": ["bob", "bea"],
    "clerk": ["clara", "carl"],
    "fulfilment": ["fay"],
}
PROCESSES = {"client": CLIENT_PROCESS, "supplier": SUPPLIER_PROCESS}


# --- seeding ------------------------------------------------------------------


@dataclass
class Rows:
    orders: list[tuple[Any, ...]]
    history: list[tuple[Any, ...]]
    tasks: list[tuple[Any, ...]]
    messages: list[tuple[Any, ...]]
    attempts: list[tuple[Any, ...]]


def _micros(rng: random.Random, mean_s: float) -> timedelta:
    """A random wait with microseconds, mostly around ``mean_s``."""
    return timedelta(microseconds=int(rng.expovariate(1 / mean_s) * 1e6) + 1)


def _between(rng: random.Random, a: datetime, b: datetime) -> datetime:
    span = int((b - a) / timedelta(microseconds=1))
    return a + timedelta(microseconds=rng.randint(1, max(span - 1, 1)))


def simulate(service: str, process: ProcessDefinition, seed: int) -> Rows:
    """Random walks through ``process``, written as the service would write them."""
    rng = random.Random(seed)
    rows = Rows([], [], [], [], [])
    start = next(t for t in process.transitions if t.source is None)
    customers = ["ALFKI", "ANATR", "ANTON", "AROUT", "BERGS"]
    for n in range(ORDERS_PER_SERVICE):
        order_id = uuid.uuid4()
        old = n % 12 == 0  # some orders fall outside the default 30 days
        days_ago = rng.uniform(40, 45) if old else rng.uniform(0.2, 12)
        placed = NOW - timedelta(days=days_ago, microseconds=rng.randrange(10**6))
        moment = placed
        state = start.target
        quote_total: Decimal | None = None
        open_task: dict[str, Any] | None = None
        transition = start
        while True:
            # Record the transition just taken, its message and its task.
            rows.history.append(
                (
                    order_id,
                    moment,
                    transition.source.name if transition.source else None,
                    transition.target.name,
                    list(transition.path),
                    f"{transition.trigger.kind}:{transition.trigger.name}",
                )
            )
            issued = MessageType.QUOTE_ISSUED
            if transition.sends == issued or transition.trigger.name == issued:
                cents = rng.randrange(1, 10**7) if n % 50 else 9_876_543_210
                quote_total = Decimal(cents) / 100
            if transition.sends is not None:
                _message(rng, rows, order_id, transition.sends, moment)
            if transition.opens_task is not None:
                task_type = process.task_type(transition.opens_task)
                due = moment + timedelta(seconds=task_type.due_s)
                open_task = {
                    "type": task_type,
                    "created": moment,
                    "due": None if rng.random() < 0.06 else due,
                }
            if state.is_end or rng.random() < 0.1:
                break
            choices = [t for t in process.transitions if t.source == state]
            transition = rng.choice(choices)
            after = moment + _micros(rng, 8 * 3600 if rng.random() < 0.8 else 3 * 86400)
            if after > NOW - timedelta(minutes=5):
                break
            if open_task is not None:
                _finish_task(rng, rows, order_id, open_task, transition, after)
                open_task = None
            moment = after
            state = transition.target
        if open_task is not None:
            _leave_open(rng, rows, order_id, open_task)
        rows.orders.append(
            (
                order_id,
                rng.choice(customers),
                state.name,
                state.element_id,
                placed,
                moment,
                moment if state.is_end else None,
                quote_total,
            )
        )
    return rows


def _message(
    rng: random.Random,
    rows: Rows,
    order_id: uuid.UUID,
    event_type: str,
    created: datetime,
) -> None:
    message_id = f"msg_{uuid.uuid4().hex}"
    roll = rng.random()
    state = "delivered" if roll < 0.8 else ("failed" if roll < 0.88 else "pending")
    tries = {
        "delivered": rng.choice([1, 1, 1, 2, 3, 5]),
        "failed": rng.randint(3, 9),
        "pending": rng.randint(0, 2),
    }[state]
    delivered = created + _micros(rng, 20) if state == "delivered" else None
    rows.messages.append(
        (message_id, order_id, event_type, state, tries, created, delivered)
    )
    started = created
    for attempt_no in range(1, tries + 1):
        started = started + _micros(rng, 2)
        ok = state == "delivered" and attempt_no == tries
        rows.attempts.append(
            (message_id, attempt_no, started, rng.uniform(1, 900), 200 if ok else 503)
        )


def _finish_task(
    rng: random.Random,
    rows: Rows,
    order_id: uuid.UUID,
    task: dict[str, Any],
    transition: Any,
    at: datetime,
) -> None:
    """Completes the task if ``transition`` is its decision, else cancels it."""
    task_type = task["type"]
    element = task_type.element_id
    by = rng.choice(WORKERS[task_type.candidate_role])
    due = task["due"]
    if due is not None and task["created"] < due < at and rng.random() < 0.5:
        rows.history.append(
            (
                order_id,
                due,
                None,
                None,
                [element, f"{element}_Overdue", f"{element}_Escalated"],
                "timer:task_overdue",
            )
        )
    claimed = None
    if rng.random() < 0.7:
        claimed = _between(rng, task["created"], at)
        rows.history.append((order_id, claimed, None, None, [element], "task:claim"))
    completes = transition.trigger.kind is TriggerKind.TASK
    rows.tasks.append(
        (
            uuid.uuid4(),
            order_id,
            task_type.name,
            element,
            "completed" if completes else "cancelled",
            task_type.candidate_role,
            by if claimed or completes else None,
            task["created"],
            due,
            claimed or (at if completes else None),
            at,
            by if completes else None,
        )
    )


def _leave_open(
    rng: random.Random, rows: Rows, order_id: uuid.UUID, task: dict[str, Any]
) -> None:
    task_type = task["type"]
    claimed = None
    if rng.random() < 0.4:
        claimed = _between(rng, task["created"], NOW - timedelta(minutes=1))
        rows.history.append(
            (order_id, claimed, None, None, [task_type.element_id], "task:claim")
        )
    rows.tasks.append(
        (
            uuid.uuid4(),
            order_id,
            task_type.name,
            task_type.element_id,
            "claimed" if claimed else "open",
            task_type.candidate_role,
            rng.choice(WORKERS[task_type.candidate_role]) if claimed else None,
            task["created"],
            task["due"],
            claimed,
            None,
            None,
        )
    )


async def insert(system: System, service: str, rows: Rows) -> None:
    connection = await asyncpg.connect(
        plain_dsn(system.database_url), server_settings={"search_path": service}
    )
    try:
        async with connection.transaction():
            if service == "client":
                await connection.executemany(
                    """
                    INSERT INTO orders (id, customer_id, state, current_element,
                        placed_at, updated_at, ended_at, quote_total)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """,
                    rows.orders,
                )
            else:
                await connection.executemany(
                    """
                    INSERT INTO orders (id, customer_id, customer_name, state,
                        current_element, placed_at, received_at, updated_at,
                        ended_at, quote_total)
                    VALUES ($1, $2, $2, $3, $4, $5, $5, $6, $7, $8)
                    """,
                    rows.orders,
                )
            await connection.executemany(
                """
                INSERT INTO process_history
                    (order_id, at, from_state, to_state, element_ids, cause)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                sorted(rows.history, key=lambda row: row[1]),
            )
            await connection.executemany(
                """
                INSERT INTO human_task (id, order_id, task_type, element_id, state,
                    candidate_role, assignee, created_at, due_at, claimed_at,
                    completed_at, completed_by, form)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '{}')
                """,
                rows.tasks,
            )
            await connection.executemany(
                """
                INSERT INTO outbox_message (id, order_id, event_type, body, state,
                    attempts, created_at, next_attempt_at, delivered_at)
                VALUES ($1, $2, $3, '{}', $4, $5, $6, $6, $7)
                """,
                rows.messages,
            )
            await connection.executemany(
                """
                INSERT INTO delivery_attempt
                    (message_id, attempt_no, started_at, duration_ms, status_code)
                VALUES ($1, $2, $3, $4, $5)
                """,
                rows.attempts,
            )
    finally:
        await connection.close()


@dataclass
class Raw:
    """The tables of one service as ``SELECT *`` returns them."""

    orders: list[dict[str, Any]]
    history: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    attempts: list[dict[str, Any]]


async def read_raw(system: System, service: str) -> Raw:
    connection = await asyncpg.connect(
        plain_dsn(system.database_url), server_settings={"search_path": service}
    )
    try:
        tables = []
        for table in (
            "orders",
            "process_history",
            "human_task",
            "outbox_message",
            "delivery_attempt",
        ):
            records = await connection.fetch(f"SELECT * FROM {table}")
            tables.append([dict(record) for record in records])
    finally:
        await connection.close()
    return Raw(*tables)


@dataclass
class Seeded:
    system: System
    raw: dict[str, Raw]


async def seed(system: System) -> dict[str, Raw]:
    raw = {}
    for number, (service, process) in enumerate(PROCESSES.items()):
        await insert(system, service, simulate(service, process, number))
        raw[service] = await read_raw(system, service)
    return raw


@pytest.fixture(scope="module")
def seeded(
    new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    """Both services, workers off, with several hundred orders written directly."""
    with System.started(
        new_database(),
        tmp_path_factory.mktemp("analytics"),
        CLIENT_RUN_WORKERS="false",
        SUPPLIER_RUN_WORKERS="false",
    ) as system:
        yield Seeded(system, asyncio.run(seed(system)))


# --- the statistics, computed independently -----------------------------------


def percentile_cont(values: Iterable[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: interpolates between the two closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    below, above = math.floor(position), math.ceil(position)
    if below == above:
        return ordered[below]
    return ordered[below] + (position - below) * (ordered[above] - ordered[below])


def seconds(delta: timedelta) -> float:
    return delta.total_seconds()


def micros(delta: timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds


def exact_seconds(deltas: list[timedelta]) -> Fraction:
    return Fraction(sum(micros(d) for d in deltas), 10**6)


def mean_ms(deltas: list[timedelta]) -> float | None:
    """The exact mean, rounded half up to the millisecond."""
    if not deltas:
        return None
    total, n = sum(micros(d) for d in deltas), len(deltas)
    milliseconds = (2 * total * 1000 + n * 10**6) // (2 * n * 10**6)
    return float(Decimal(milliseconds) / 1000)


def stats(name: str, deltas: list[timedelta], points: Iterable[int]) -> dict[str, Any]:
    values = [seconds(d) for d in deltas]
    out: dict[str, Any] = {
        f"{name}_p{p}_s": percentile_cont(values, p / 100) for p in points
    }
    out[f"{name}_mean_s"] = mean_ms(deltas)
    return out


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    params: dict[str, str]

    def has(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def windows() -> dict[str, Window]:
    today = NOW.date()
    wide_start = datetime.combine(today - timedelta(days=14), time(), tzinfo=UTC)
    wide_end = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
    narrow_start = (NOW - timedelta(days=5, minutes=17)).replace(microsecond=250)
    narrow_end = NOW - timedelta(days=2, hours=3)
    return {
        "wide": Window(
            wide_start,
            wide_end,
            {
                "from": (today - timedelta(days=14)).isoformat(),
                "to": today.isoformat(),
            },
        ),
        "narrow": Window(
            narrow_start,
            narrow_end,
            {"from": narrow_start.isoformat(), "to": narrow_end.isoformat()},
        ),
    }


WINDOWS = windows()


class Expect:
    """Each figure of one service over one window, from the raw rows."""

    def __init__(self, service: str, raw: Raw, window: Window) -> None:
        self.service = service
        self.window = window
        self.orders = [o for o in raw.orders if window.has(o["placed_at"])]
        ids = {o["id"] for o in self.orders}
        self.history = [h for h in raw.history if h["order_id"] in ids]
        self.tasks = [t for t in raw.tasks if t["order_id"] in ids]
        self.messages = [m for m in raw.messages if m["order_id"] in ids]
        tries = Counter(a["message_id"] for a in raw.attempts)
        self.tries = {m["id"]: tries[m["id"]] for m in self.messages}

    def cycle_time(self) -> list[dict[str, Any]]:
        rows = []
        for end in END_STATES:
            deltas = [
                o["ended_at"] - o["placed_at"]
                for o in self.orders
                if o["state"] == end and o["ended_at"] is not None
            ]
            rows.append(
                {
                    "end_state": end,
                    "orders": len(deltas),
                    **stats("cycle", deltas, (50, 90, 99)),
                }
            )
        return rows

    def cycle_time_daily(self) -> list[dict[str, Any]]:
        rows = []
        day = self.window.start.date()
        last = (self.window.end - timedelta(microseconds=1)).date()
        while day <= last:
            deltas = [
                o["ended_at"] - o["placed_at"]
                for o in self.orders
                if o["ended_at"] is not None and o["placed_at"].date() == day
            ]
            rows.append(
                {
                    "day": day.isoformat(),
                    "ended_orders": len(deltas),
                    **stats("cycle", deltas, (50, 90)),
                }
            )
            day += timedelta(days=1)
        return rows

    def _task_stats(self, tasks: list[dict[str, Any]]) -> dict[str, Any]:
        done = [t for t in tasks if t["state"] == "completed"]
        with_due = [t for t in done if t["due_at"] is not None]
        within = [t for t in with_due if t["completed_at"] <= t["due_at"]]
        return {
            "tasks": len(tasks),
            "open": sum(t["state"] in ("open", "claimed") for t in tasks),
            "cancelled": sum(t["state"] == "cancelled" for t in tasks),
            "completed": len(done),
            **stats(
                "waiting", [t["claimed_at"] - t["created_at"] for t in done], (50, 90)
            ),
            **stats(
                "handling",
                [t["completed_at"] - t["claimed_at"] for t in done],
                (50, 90),
            ),
            **stats(
                "total", [t["completed_at"] - t["created_at"] for t in done], (50, 90)
            ),
            "completed_with_due": len(with_due),
            "completed_within_due": len(within),
            "within_due_share": share(len(within), len(with_due)),
        }

    def tasks_(self) -> list[dict[str, Any]]:
        return [
            {
                "task_type": name,
                **self._task_stats([t for t in self.tasks if t["task_type"] == name]),
            }
            for name in TASK_TYPES[self.service]
        ]

    def tasks_by_assignee(self) -> list[dict[str, Any]]:
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for t in self.tasks:
            if t["state"] == "completed":
                groups[(t["task_type"], t["completed_by"])].append(t)
        order = TASK_TYPES[self.service]
        return [
            {"task_type": kind, "assignee": who, **self._task_stats(tasks)}
            for (kind, who), tasks in sorted(
                groups.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
            )
        ]

    def funnel(self) -> list[dict[str, Any]]:
        steps, losses = FUNNELS[self.service]
        reached_by = defaultdict(set)
        for h in self.history:
            if h["to_state"] is not None:
                reached_by[h["to_state"]].add(h["order_id"])
        states = Counter(o["state"] for o in self.orders)
        placed = len(reached_by[steps[0]])
        rows = []
        for step_no, step in enumerate(steps):
            reached = len(reached_by[step])
            rows.append(
                {
                    "step_no": step_no,
                    "step": step,
                    "outcome": "reached",
                    "orders": reached,
                    "share": share(reached, placed),
                }
            )
            if step != steps[-1]:
                outcomes = ["in_progress", *losses.get(step, [])]
                for outcome in outcomes:
                    count = states[step if outcome == "in_progress" else outcome]
                    rows.append(
                        {
                            "step_no": step_no,
                            "step": step,
                            "outcome": outcome,
                            "orders": count,
                            "share": share(count, reached),
                        }
                    )
        return rows

    def quotes(self) -> list[dict[str, Any]]:
        waiting, accepted_state = QUOTE_STATES[self.service]
        reached = defaultdict(set)
        for h in self.history:
            reached[h["to_state"]].add(h["order_id"])
        states = Counter(o["state"] for o in self.orders)
        accepted, declined = len(reached[accepted_state]), states["declined"]
        return [
            {
                "issued": len(reached[waiting]),
                "awaiting_answer": states[waiting],
                "accepted": accepted,
                "declined": declined,
                "expired": states["expired"],
                "answered": accepted + declined,
                "acceptance_rate": share(accepted, accepted + declined),
            }
        ]

    def outcomes(self) -> list[dict[str, Any]]:
        rows = []
        for end in END_STATES:
            ended = [o for o in self.orders if o["state"] == end]
            totals = [o["quote_total"] for o in ended if o["quote_total"] is not None]
            rows.append(
                {
                    "end_state": end,
                    "orders": len(ended),
                    "quoted_orders": len(totals),
                    "quote_value": str(sum(totals, Decimal("0.00"))),
                }
            )
        return rows

    def throughput(self, step: timedelta) -> list[dict[str, Any]]:
        if step == timedelta(days=1):
            bucket = datetime.combine(self.window.start.date(), time(), tzinfo=UTC)
        else:
            bucket = self.window.start.replace(minute=0, second=0, microsecond=0)
        rows = []
        while bucket < self.window.end:
            after = bucket + step
            rows.append(
                {
                    "bucket": bucket.isoformat(),
                    "placed": sum(
                        bucket <= o["placed_at"] < after for o in self.orders
                    ),
                    "ended": sum(
                        o["ended_at"] is not None and bucket <= o["ended_at"] < after
                        for o in self.orders
                    ),
                    "wip_at_end": sum(
                        o["placed_at"] < after
                        and (o["ended_at"] is None or o["ended_at"] >= after)
                        for o in self.orders
                    ),
                }
            )
            bucket = after
        return rows

    def bottlenecks(self) -> list[dict[str, Any]]:
        by_order = defaultdict(list)
        for h in self.history:
            by_order[h["order_id"]].append(h)
        waits: dict[str, list[timedelta]] = defaultdict(list)
        for steps in by_order.values():
            steps.sort(key=lambda h: (h["at"], h["id"]))
            for earlier, later in pairwise(steps):
                elements = earlier["element_ids"]
                element = elements[0] if earlier["to_state"] is None else elements[-1]
                waits[element].append(later["at"] - earlier["at"])
        ranked = sorted(waits.items(), key=lambda kv: (-exact_seconds(kv[1]), kv[0]))
        return [
            {
                "rank": rank,
                "element_id": element,
                "waits": len(deltas),
                "total_wait_s": float(exact_seconds(deltas)),
                **stats("wait", deltas, (50, 90)),
            }
            for rank, (element, deltas) in enumerate(ranked, start=1)
        ]

    def delivery_attempts(self) -> list[dict[str, Any]]:
        by_tries = defaultdict(list)
        for m in self.messages:
            by_tries[self.tries[m["id"]]].append(m["state"])
        return [
            {
                "attempts": tries,
                "messages": len(states),
                "delivered": states.count("delivered"),
                "failed": states.count("failed"),
                "pending": states.count("pending"),
            }
            for tries, states in sorted(by_tries.items())
        ]

    def deliveries(self) -> list[dict[str, Any]]:
        def summary(name: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
            delivered = [m for m in messages if m["state"] == "delivered"]
            failed = sum(m["state"] == "failed" for m in messages)
            tries = [self.tries[m["id"]] for m in messages]
            return {
                "event_type": name,
                "messages": len(messages),
                "delivered": len(delivered),
                "failed": failed,
                "pending": sum(m["state"] == "pending" for m in messages),
                "failure_rate": share(failed, len(messages)),
                "attempts": sum(tries) if tries else None,
                "max_attempts": max(tries) if tries else None,
                **stats(
                    "latency",
                    [m["delivered_at"] - m["created_at"] for m in delivered],
                    (50, 90, 99),
                ),
            }

        types = sorted({m["event_type"] for m in self.messages})
        return [
            summary("all", self.messages),
            *(
                summary(kind, [m for m in self.messages if m["event_type"] == kind])
                for kind in types
            ),
        ]

    def figure(self, path: str) -> list[dict[str, Any]]:
        return {
            "cycle-time": self.cycle_time,
            "cycle-time/daily": self.cycle_time_daily,
            "tasks": self.tasks_,
            "tasks/by-assignee": self.tasks_by_assignee,
            "funnel": self.funnel,
            "quotes": self.quotes,
            "outcomes": self.outcomes,
            "throughput/daily": lambda: self.throughput(timedelta(days=1)),
            "throughput/hourly": lambda: self.throughput(timedelta(hours=1)),
            "bottlenecks": self.bottlenecks,
            "deliveries/attempts": self.delivery_attempts,
            "deliveries": self.deliveries,
        }[path]()


FIGURE_PATHS = [
    "cycle-time",
    "cycle-time/daily",
    "tasks",
    "tasks/by-assignee",
    "funnel",
    "quotes",
    "outcomes",
    "throughput/daily",
    "throughput/hourly",
    "bottlenecks",
    "deliveries/attempts",
    "deliveries",
]


def base(seeded: Seeded, service: str) -> str:
    system = seeded.system
    return system.client_url if service == "client" else system.supplier_url


async def fetch(
    http: httpx.AsyncClient, seeded: Seeded, service: str, path: str, **params: str
) -> httpx.Response:
    return await http.get(
        f"{base(seeded, service)}/dashboard/api/analytics/{path}",
        params=params,
        auth=As("vic"),
    )


# --- the tests ------------------------------------------------------------------


def test_the_seed_covers_every_case(seeded: Seeded) -> None:
    for raw in seeded.raw.values():
        assert len(raw.orders) == ORDERS_PER_SERVICE
        assert {o["state"] for o in raw.orders} >= set(END_STATES)
        assert {t["state"] for t in raw.tasks} >= {"open", "claimed", "completed"}
        assert {m["state"] for m in raw.messages} == {"delivered", "failed", "pending"}
    # Only the buyer's quote expiry cancels a task; only the clerk's 4 h is short.
    client, supplier = seeded.raw["client"], seeded.raw["supplier"]
    assert any(t["state"] == "cancelled" for t in client.tasks)
    assert any(h["cause"] == "timer:task_overdue" for h in supplier.history)


@pytest.mark.parametrize("window", sorted(WINDOWS))
@pytest.mark.parametrize("path", FIGURE_PATHS)
@pytest.mark.parametrize("service", ["client", "supplier"])
async def test_each_figure_equals_the_raw_rows(
    http: httpx.AsyncClient, seeded: Seeded, service: str, path: str, window: str
) -> None:
    chosen = WINDOWS[window]
    response = await fetch(http, seeded, service, path, **chosen.params)
    assert response.status_code == 200, response.text
    body = response.json()

    expected = Expect(service, seeded.raw[service], chosen).figure(path)
    assert body["from"] == chosen.start.isoformat()
    assert body["to"] == chosen.end.isoformat()
    assert body["rows"] == expected
    if expected:
        assert body["columns"] == list(expected[0])


@pytest.mark.parametrize("service", ["client", "supplier"])
async def test_the_narrow_window_really_filters(seeded: Seeded, service: str) -> None:
    raw = seeded.raw[service]
    counts = {
        name: len(Expect(service, raw, window).orders)
        for name, window in WINDOWS.items()
    }
    assert 0 < counts["narrow"] < counts["wide"] < len(raw.orders)


@pytest.mark.parametrize("service", ["client", "supplier"])
async def test_the_default_range_is_the_last_30_days(
    http: httpx.AsyncClient, seeded: Seeded, service: str
) -> None:
    response = await fetch(http, seeded, service, "outcomes")
    assert response.status_code == 200, response.text
    body = response.json()
    start, end = (datetime.fromisoformat(body[key]) for key in ("from", "to"))
    assert end - start == timedelta(days=30)
    assert abs(end - datetime.now(UTC)) < timedelta(minutes=1)
    recent = [
        o
        for o in seeded.raw[service].orders
        if o["placed_at"] >= start and o["state"] in END_STATES
    ]
    assert sum(row["orders"] for row in body["rows"]) == len(recent)


@pytest.mark.parametrize("path", FIGURE_PATHS)
async def test_csv_holds_the_same_rows_as_json(
    http: httpx.AsyncClient, seeded: Seeded, path: str
) -> None:
    params = WINDOWS["wide"].params
    as_json = (await fetch(http, seeded, "supplier", path, **params)).json()
    response = await fetch(http, seeded, "supplier", path, **params, format="csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="orderflow-supplier-')
    assert disposition.endswith('.csv"')
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == as_json["columns"]
    assert table[1:] == [
        ["" if row[c] is None else str(row[c]) for c in as_json["columns"]]
        for row in as_json["rows"]
    ]


async def test_money_stays_exact_in_json(
    http: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await fetch(http, seeded, "client", "outcomes", **WINDOWS["wide"].params)
    values = [row["quote_value"] for row in response.json()["rows"]]
    assert all(isinstance(value, str) for value in values)
    assert all(
        Decimal(value) == Decimal(value).quantize(Decimal("0.01")) for value in values
    )
    assert json.loads(response.text)  # and nothing but JSON


@pytest.mark.parametrize("path", ["funnel", "deliveries"])
async def test_every_figure_needs_a_login(seeded: Seeded, path: str) -> None:
    async with httpx.AsyncClient(timeout=30) as anonymous:
        for service in ("client", "supplier"):
            url = f"{base(seeded, service)}/dashboard/api/analytics/{path}"
            assert (await anonymous.get(url)).status_code == 401
            assert (
                await anonymous.get(url, params={"format": "csv"})
            ).status_code == 401
            forged = await anonymous.get(url, headers={"Authorization": "Bearer x.y.z"})
            assert forged.status_code == 401
        page = await anonymous.get(f"{base(seeded, 'client')}/dashboard/analytics")
        assert page.status_code == 303
        assert "/ui/login" in page.headers["location"]


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"from": "yesterday"}, "neither a date nor a timestamp"),
        ({"from": "2026-02-10", "to": "2026-02-01"}, "from must be before to"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "at most"),
        # Past the calendar Python and the driver know: refused, never a 500.
        ({"from": "9999-12-01", "to": "9999-12-31"}, "lies outside 0001-01-02"),
        ({"to": "9999-12-31"}, "lies outside 0001-01-02 to 9999-12-31"),
        ({"to": "0001-01-05"}, "give from as well"),
        ({"to": "0001-01-30"}, "give from as well"),
        ({"from": "0001-01-01T00:00+05:00"}, "lies outside"),
        ({"from": "0001-01-01", "to": "0001-01-31"}, "lies outside"),
        ({"from": "9999-12-30", "to": "9999-12-31T23:00-05:00"}, "lies outside"),
        ({"from": "9999-12-30", "to": "9999-12-31T23:59:59.999999"}, "lies outside"),
    ],
)
async def test_a_bad_range_is_refused(
    http: httpx.AsyncClient, seeded: Seeded, params: dict[str, str], problem: str
) -> None:
    response = await fetch(http, seeded, "client", "funnel", **params)
    assert response.status_code == 422
    assert problem in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "0001-01-02", "to": "0001-01-31"},
        {"from": "0001-01-02T05:00+05:00", "to": "0001-01-03"},
        {"to": "0001-01-31"},
        {"from": "9999-12-01", "to": "9999-12-30"},
        {"from": "9999-12-30", "to": "9999-12-31T00:00"},
    ],
)
async def test_the_first_and_last_days_of_the_calendar_are_a_range(
    http: httpx.AsyncClient, seeded: Seeded, params: dict[str, str]
) -> None:
    for path in FIGURE_PATHS:
        for output in ("json", "csv"):
            response = await fetch(
                http, seeded, "client", path, **params, format=output
            )
            assert response.status_code == 200, (path, output, response.text)


async def test_the_page_refuses_a_bad_range_with_422(seeded: Seeded) -> None:
    system = seeded.system
    async with httpx.AsyncClient(
        base_url=system.client_url,
        cookies={"orderflow_session_client": system.token("client", "vic")},
        timeout=30,
    ) as browser:
        for params in (
            {"to": "9999-12-31"},
            {"to": "0001-01-05"},
            {"from": "0001-01-01T00:00+05:00"},
            {"from": "0001-01-01", "to": "0001-01-31"},
            {"from": "yesterday"},
        ):
            page = await browser.get("/dashboard/analytics", params=params)
            assert page.status_code == 422, (params, page.text)
        page = await browser.get(
            "/dashboard/analytics", params={"from": "9999-12-01", "to": "9999-12-30"}
        )
        assert page.status_code == 200, page.text


async def test_too_many_hours_are_refused(
    http: httpx.AsyncClient, seeded: Seeded
) -> None:
    params = {"from": "2020-01-01", "to": "2026-01-01"}
    hourly = await fetch(http, seeded, "client", "throughput/hourly", **params)
    assert hourly.status_code == 422
    daily = await fetch(http, seeded, "client", "throughput/daily", **params)
    assert daily.status_code == 200


async def test_the_page_draws_every_figure(seeded: Seeded) -> None:
    system = seeded.system
    async with httpx.AsyncClient(timeout=30) as browser:
        for service, url in (
            ("client", system.client_url),
            ("supplier", system.supplier_url),
        ):
            login = await browser.post(
                f"{url}/ui/login",
                data={"username": "vic", "password": system.logins["vic"]},
                headers={"origin": url},
            )
            assert login.status_code == 303
            page = await browser.get(
                f"{url}/dashboard/analytics", params=WINDOWS["wide"].params
            )
            assert page.status_code == 200, page.text
            html = page.text
            assert html.count("<svg") >= 8
            assert "<polyline" in html
            assert 'class="chart funnel"' in html
            assert html.count("format=csv") >= len(FIGURE_PATHS)
            assert FUNNELS[service][0][1].replace("_", " ") in html
