"""What the monitoring pages show, read in SQL from the tables that run the process.

Both services keep their orders in a table named ``orders`` with the same process
columns, and each connection's ``search_path`` is the service's schema, so the
queries here are plain SQL without a schema prefix and serve either service.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utcnow
from shared.errors import InvalidInput
from shared.process import ProcessDefinition
from shared.types import Money, plain_zero

Sort = Literal["placed", "total"]
Direction = Literal["asc", "desc"]
OPEN_TASK_STATES = ("open", "claimed")
INCIDENTS_SHOWN = 100
# quote_total is NUMERIC(16, 2): a total to compare it with has cents at most and
# fewer than 15 digits before the point; anything else the driver cannot send.
TOTAL_LIMIT = Decimal(10) ** 14
CENT = Decimal("0.01")


def pool_elements(process: ProcessDefinition) -> list[str]:
    """Every element of the service's own pool that a token can wait at or pass."""
    seen: dict[str, None] = {}
    for transition in process.transitions:
        seen.update(dict.fromkeys(transition.path))
    for task_type in process.task_types:
        seen[task_type.overdue_element_id] = None
        seen[task_type.escalated_element_id] = None
    return list(seen)


# --- the dashboard's figures --------------------------------------------------


class TaskCounts(BaseModel):
    open: int = 0
    overdue: int = 0


class ElementCounts(BaseModel):
    waiting: int = 0
    passed: int = 0


class Summary(BaseModel):
    """The live figures of the dashboard, as one tick of its refresh sends them."""

    at: datetime
    states: dict[str, int]
    active: int
    ended: int
    tasks: dict[str, TaskCounts]
    failed_deliveries: int
    waiting: dict[str, int]


# One round trip for every live figure. Each branch is served by an index: orders
# by orders_current_element (an index-only scan once vacuumed), tasks by
# human_task_inbox, failed messages by the partial index outbox_message_failed.
SUMMARY_SQL = text(
    """
    SELECT 'element' AS kind, current_element AS key, count(*) AS n, 0 AS late
      FROM orders GROUP BY current_element
    UNION ALL
    SELECT 'task', task_type, count(*), count(*) FILTER (WHERE due_at < :now)
      FROM human_task WHERE state IN ('open', 'claimed') GROUP BY task_type
    UNION ALL
    SELECT 'failed', NULL, count(*), 0
      FROM outbox_message WHERE state = 'failed'
    """
)

# How many steps took each path. The model has no loops, so an order enters each
# element at most once, and the orders that passed an element are the steps that
# entered it: the elements after the first of each path (the first is where the
# step started, already counted by the step that led there), plus the start event
# of a start step. Grouping by the whole array reads the history once and keeps a
# few dozen groups; counting distinct orders per element with ``@>`` and a GIN
# index took eight times as long on 200,000 orders.
PATHS_SQL = text("SELECT element_ids, count(*) FROM process_history GROUP BY 1")


async def summary(session: AsyncSession, process: ProcessDefinition) -> Summary:
    state_of = {state.element_id: state for state in process.states}
    states = {state.name: 0 for state in process.states}
    tasks = {task_type.name: TaskCounts() for task_type in process.task_types}
    waiting: dict[str, int] = {}
    failed = 0

    rows = await session.execute(SUMMARY_SQL, {"now": utcnow()})
    for kind, key, n, late in rows:
        if kind == "element":
            state = state_of.get(key)
            if state is None:
                continue
            states[state.name] += n
            if not state.is_end:
                waiting[key] = n
        elif kind == "task":
            tasks[key] = TaskCounts(open=n, overdue=late)
        else:
            failed = n

    ended = sum(states[name] for name in process.end_states)
    return Summary(
        at=utcnow(),
        states=states,
        active=sum(states.values()) - ended,
        ended=ended,
        tasks=tasks,
        failed_deliveries=failed,
        waiting=waiting,
    )


async def passed_counts(
    session: AsyncSession, process: ProcessDefinition
) -> dict[str, int]:
    """How many orders passed through each element of the pool."""
    starts = {t.path[0] for t in process.transitions if t.source is None}
    passed = dict.fromkeys(pool_elements(process), 0)
    for path, n in await session.execute(PATHS_SQL):
        entered = path[1:] if path[0] not in starts else path
        for element in entered:
            if element in passed:
                passed[element] += n
    return passed


def element_counts(
    process: ProcessDefinition, waiting: dict[str, int], passed: dict[str, int]
) -> dict[str, ElementCounts]:
    return {
        element: ElementCounts(
            waiting=waiting.get(element, 0), passed=passed.get(element, 0)
        )
        for element in pool_elements(process)
    }


# --- the instance list ----------------------------------------------------------


@dataclass(frozen=True)
class InstanceFilter:
    state: str | None = None
    element: str | None = None
    customer: str | None = None
    placed_from: date | None = None
    placed_to: date | None = None
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    overdue: bool = False
    failed: bool = False

    def check(self, process: ProcessDefinition) -> None:
        states = [state.name for state in process.states]
        if self.state is not None and self.state not in states:
            raise InvalidInput(f"state must be one of: {', '.join(states)}")
        if self.element is not None and self.element not in pool_elements(process):
            raise InvalidInput(f"{self.element} is not an element of this pool")
        if self.placed_to is not None:
            _day_after(self.placed_to)
        if self.placed_from and self.placed_to and self.placed_from > self.placed_to:
            raise InvalidInput("the placed-from date is after the placed-to date")
        if self.total_min is not None:
            check_total(self.total_min, "the minimum total")
        if self.total_max is not None:
            check_total(self.total_max, "the maximum total")
        if (
            self.total_min is not None
            and self.total_max is not None
            and self.total_min > self.total_max
        ):
            raise InvalidInput("the minimum total is above the maximum")


def _day_after(day: date) -> date:
    """The end of a placed-to date, which includes that whole day."""
    try:
        return day + timedelta(days=1)
    except OverflowError as exc:
        raise InvalidInput(
            f"the placed-to date must be before {date.max.isoformat()}"
        ) from exc


def check_total(amount: Decimal, what: str) -> Decimal:
    """A total that quote_total can be compared with, else InvalidInput."""
    if not amount.is_finite() or not -TOTAL_LIMIT < amount < TOTAL_LIMIT:
        raise InvalidInput(
            f"{what} must be a finite amount of less than {TOTAL_LIMIT:,}"
            f" either side of zero: {amount}"
        )
    if amount != amount.quantize(CENT):
        raise InvalidInput(f"{what} has more than two decimal places: {amount}")
    return plain_zero(amount)


class InstanceRow(BaseModel):
    id: uuid.UUID
    customer_id: str
    state: str
    current_element: str
    placed_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    quote_total: Money | None
    overdue: bool
    failed: bool


class InstancePage(BaseModel):
    """One page of instances; the cursors fetch the pages either side of it."""

    items: list[InstanceRow]
    next: str | None
    previous: str | None


@dataclass(frozen=True)
class Cursor:
    """A position in the sorted list: the sort value and id of a row, never an offset.

    It travels in the URL as base64 of a small JSON array, so a shared link stays
    valid however many rows come before it.
    """

    value: str
    order_id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps([self.value, str(self.order_id)]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            value, order_id = json.loads(raw)
            return cls(str(value), uuid.UUID(str(order_id)))
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise InvalidInput("the page cursor is not valid") from exc


INSTANCE_COLUMNS = """
    o.id, o.customer_id, o.state, o.current_element, o.placed_at, o.updated_at,
    o.ended_at, o.quote_total,
    EXISTS (SELECT 1 FROM human_task t WHERE t.order_id = o.id
             AND t.state IN ('open', 'claimed') AND t.due_at < :now) AS overdue,
    EXISTS (SELECT 1 FROM outbox_message m WHERE m.order_id = o.id
             AND m.state = 'failed') AS failed
"""


def _where(where: InstanceFilter, params: dict[str, Any]) -> list[str]:
    """SQL conditions for the filter; every value goes in as a bound parameter."""
    clauses = []
    if where.state is not None:
        clauses.append("o.state = :state")
        params["state"] = where.state
    if where.element is not None:
        clauses.append("o.current_element = :element")
        params["element"] = where.element
    if where.customer is not None:
        clauses.append("o.customer_id = :customer")
        params["customer"] = where.customer
    if where.placed_from is not None:
        clauses.append("o.placed_at >= :placed_from")
        params["placed_from"] = datetime.combine(where.placed_from, time(), UTC)
    if where.placed_to is not None:
        clauses.append("o.placed_at < :placed_to")
        end = _day_after(where.placed_to)
        params["placed_to"] = datetime.combine(end, time(), UTC)
    if where.total_min is not None:
        clauses.append("o.quote_total >= :total_min")
        params["total_min"] = check_total(where.total_min, "the minimum total")
    if where.total_max is not None:
        clauses.append("o.quote_total <= :total_max")
        params["total_max"] = check_total(where.total_max, "the maximum total")
    if where.overdue:
        clauses.append(
            "EXISTS (SELECT 1 FROM human_task t WHERE t.order_id = o.id"
            " AND t.state IN ('open', 'claimed') AND t.due_at < :now)"
        )
    if where.failed:
        clauses.append(
            "EXISTS (SELECT 1 FROM outbox_message m WHERE m.order_id = o.id"
            " AND m.state = 'failed')"
        )
    return clauses


def _sort_value(row: InstanceRow, sort: Sort) -> str:
    if sort == "placed":
        return row.placed_at.isoformat()
    return str(row.quote_total)


async def instances(
    session: AsyncSession,
    *,
    where: InstanceFilter,
    sort: Sort,
    direction: Direction,
    after: str | None,
    before: str | None,
    limit: int,
) -> InstancePage:
    """One page of the filtered instances, found by keyset from a cursor.

    The sort key is (placed_at, id) or (quote_total, id); a page starts strictly
    after (or before) the cursor's row, so reading page 5000 costs what page 1
    does when an index leads with the sort column. Sorting by total lists only
    orders that have a quote: the others have no total to sort by.
    """
    if after is not None and before is not None:
        raise InvalidInput("give a cursor to page forwards or backwards, not both")
    params: dict[str, Any] = {"now": utcnow(), "limit": limit + 1}
    clauses = _where(where, params)
    key = "o.placed_at" if sort == "placed" else "o.quote_total"
    if sort == "total":
        clauses.append("o.quote_total IS NOT NULL")

    # Walking backwards reads the same order reversed, then flips the rows back.
    backwards = before is not None
    descending = (direction == "desc") != backwards
    token = after or before
    cursor = Cursor.decode(token) if token else None
    if cursor is not None:
        clauses.append(f"({key}, o.id) {'<' if descending else '>'} (:key, :key_id)")
        params["key"] = _cursor_value(cursor, sort)
        params["key_id"] = cursor.order_id
    order = "DESC" if descending else "ASC"
    sql = (
        f"SELECT {INSTANCE_COLUMNS} FROM orders o"
        f" {'WHERE ' + ' AND '.join(clauses) if clauses else ''}"
        f" ORDER BY {key} {order}, o.id {order} LIMIT :limit"
    )
    rows = [
        InstanceRow.model_validate(dict(row))
        for row in (await session.execute(text(sql), params)).mappings()
    ]

    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    if not rows:
        return InstancePage(items=[], next=None, previous=None)
    first = Cursor(_sort_value(rows[0], sort), rows[0].id).encode()
    last = Cursor(_sort_value(rows[-1], sort), rows[-1].id).encode()
    has_previous = more if backwards else cursor is not None
    has_next = True if backwards else more
    return InstancePage(
        items=rows,
        next=last if has_next else None,
        previous=first if has_previous else None,
    )


def _cursor_value(cursor: Cursor, sort: Sort) -> datetime | Decimal:
    """The cursor's sort value, checked to be one the sort column can hold."""
    problem = "the page cursor does not fit this sort"
    try:
        if sort == "placed":
            moment = datetime.fromisoformat(cursor.value)
            if moment.tzinfo is None:
                return moment.replace(tzinfo=UTC)
            # An offset can push a moment past the years 1 to 9999 in UTC.
            return moment.astimezone(UTC)
        total = Decimal(cursor.value)
    except (ArithmeticError, ValueError) as exc:
        raise InvalidInput(problem) from exc
    try:
        return check_total(total, "the page cursor's total")
    except InvalidInput as exc:
        raise InvalidInput(problem) from exc


# --- one instance ---------------------------------------------------------------


class AttemptRow(BaseModel):
    message_id: str
    attempt_no: int
    started_at: datetime
    duration_ms: float
    status_code: int | None
    error: str | None


async def delivery_attempts(
    session: AsyncSession, order_id: uuid.UUID
) -> dict[str, list[AttemptRow]]:
    """Every HTTP attempt made for the order's messages, by message id."""
    rows = await session.execute(
        text(
            """
            SELECT a.message_id, a.attempt_no, a.started_at, a.duration_ms,
                   a.status_code, a.error
              FROM outbox_message m
              JOIN delivery_attempt a ON a.message_id = m.id
             WHERE m.order_id = :order_id
             ORDER BY m.seq, a.attempt_no
            """
        ),
        {"order_id": order_id},
    )
    attempts: dict[str, list[AttemptRow]] = {}
    for row in rows.mappings():
        attempt = AttemptRow.model_validate(dict(row))
        attempts.setdefault(attempt.message_id, []).append(attempt)
    return attempts


def visited_elements(element_lists: Iterable[Iterable[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for elements in element_lists:
        seen.update(dict.fromkeys(elements))
    return list(seen)


# --- incidents ------------------------------------------------------------------


class FailedDelivery(BaseModel):
    id: str
    order_id: uuid.UUID
    event_type: str
    attempts: int
    created_at: datetime
    last_status: int | None
    last_error: str | None
    last_attempt_at: datetime | None


class LateTask(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    task_type: str
    state: str
    candidate_role: str
    assignee: str | None
    priority: int
    due_at: datetime
    escalated_at: datetime | None


class Incidents(BaseModel):
    deliveries: list[FailedDelivery]
    deliveries_total: int
    tasks: list[LateTask]
    tasks_total: int


async def incidents(session: AsyncSession) -> Incidents:
    """Deliveries that failed for good and open tasks past due, worst first."""
    now = utcnow()
    deliveries = await session.execute(
        text(
            """
            SELECT m.id, m.order_id, m.event_type, m.attempts, m.created_at,
                   m.last_status, m.last_error,
                   (SELECT max(a.started_at) FROM delivery_attempt a
                     WHERE a.message_id = m.id) AS last_attempt_at
              FROM outbox_message m WHERE m.state = 'failed'
             ORDER BY m.seq DESC LIMIT :shown
            """
        ),
        {"shown": INCIDENTS_SHOWN},
    )
    tasks = await session.execute(
        text(
            """
            SELECT id, order_id, task_type, state, candidate_role, assignee,
                   priority, due_at, escalated_at
              FROM human_task
             WHERE state IN ('open', 'claimed') AND due_at < :now
             ORDER BY due_at LIMIT :shown
            """
        ),
        {"now": now, "shown": INCIDENTS_SHOWN},
    )
    totals = (
        await session.execute(
            text(
                """
                SELECT (SELECT count(*) FROM outbox_message WHERE state = 'failed'),
                       (SELECT count(*) FROM human_task
                         WHERE state IN ('open', 'claimed') AND due_at < :now)
                """
            ),
            {"now": now},
        )
    ).one()
    return Incidents(
        deliveries=[
            FailedDelivery.model_validate(dict(r)) for r in deliveries.mappings()
        ],
        deliveries_total=totals[0],
        tasks=[LateTask.model_validate(dict(r)) for r in tasks.mappings()],
        tasks_total=totals[1],
    )


async def usernames(session: AsyncSession) -> list[str]:
    """Who a task can be given to, for the reassign form's suggestions."""
    rows = await session.scalars(
        text("SELECT username FROM users WHERE NOT disabled ORDER BY username")
    )
    return list(rows.all())
