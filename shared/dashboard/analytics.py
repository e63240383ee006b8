"""Statistics of process execution, each one SQL query over one service's schema.

Every figure covers the orders placed in a half-open range ``[start, end)`` and
is computed by PostgreSQL (ordered-set aggregates, ``FILTER``, window functions);
only the aggregated rows come back. The queries reach the orders of the range
through ``orders (placed_at, id)`` and everything else through ``order_id``.

Units and types, the same in every figure:

- durations are seconds. Percentiles are ``percentile_cont`` (linear
  interpolation) over ``double precision``; means are exact averages of the
  ``numeric`` durations, rounded to the millisecond;
- shares are ``count / count`` in ``double precision``; ``None`` when nothing
  was counted;
- money is ``numeric`` and comes back as ``Decimal``;
- buckets and days are UTC: every query runs with ``TIME ZONE 'UTC'``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import InvalidInput
from shared.messages import MessageType
from shared.process import ProcessDefinition, State, Transition, TriggerKind

Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """A figure's rows, with its columns even when there are no rows."""

    columns: list[str]
    rows: list[Row]


GOAL_STATE = "completed"


@dataclass(frozen=True)
class Range:
    """The orders placed at or after ``start`` and before ``end``."""

    start: datetime
    end: datetime

    @property
    def params(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True)
class FunnelPlan:
    """The funnel of one process, read from its definition.

    ``steps`` are the states from the start to the goal state along the shortest
    chain of transitions. Every other state is ranked with the step it left from,
    so an order that ended as ``rejected`` counts as having reached the step that
    rejected it and no further. ``losses`` maps each step to the end states that
    leave the funnel there.
    """

    steps: tuple[str, ...]
    ranks: dict[str, int]
    losses: dict[str, tuple[str, ...]]
    end_states: tuple[str, ...]
    task_types: tuple[str, ...]
    quote_waiting: str | None
    quote_accepted: str | None
    quote_declined: str | None
    quote_expired: str | None

    @classmethod
    def of(cls, process: ProcessDefinition) -> FunnelPlan:
        steps = _happy_path(process)
        ranks = {state: rank for rank, state in enumerate(steps)}
        losses: dict[str, list[str]] = {state: [] for state in steps}
        for state in process.states:
            if state.name in ranks:
                continue
            source = _first_source(process, state)
            ranks[state.name] = ranks.get(source or "", 0)
            if state.is_end:
                losses[steps[ranks[state.name]]].append(state.name)
        accepted = _carrying(process, MessageType.QUOTE_ACCEPTED)
        declined = _carrying(process, MessageType.QUOTE_DECLINED)
        expired = _carrying(process, MessageType.QUOTE_EXPIRED)
        return cls(
            steps=tuple(steps),
            ranks=ranks,
            losses={step: tuple(ends) for step, ends in losses.items()},
            end_states=tuple(process.end_states),
            task_types=tuple(t.name for t in process.task_types),
            quote_waiting=_name(accepted.source if accepted else None),
            quote_accepted=_name(accepted.target if accepted else None),
            quote_declined=_name(declined.target if declined else None),
            quote_expired=_name(expired.target if expired else None),
        )


def _name(state: State | None) -> str | None:
    return state.name if state is not None else None


def _happy_path(process: ProcessDefinition) -> list[str]:
    """The states from the start to the goal, breadth first through live states."""
    starts = [t.target.name for t in process.transitions if t.source is None]
    came_from: dict[str, str | None] = dict.fromkeys(starts)
    queue = list(starts)
    while queue:
        state = queue.pop(0)
        if state == GOAL_STATE:
            break
        for t in process.transitions:
            source = t.source.name if t.source is not None else None
            if source != state or t.target.name in came_from:
                continue
            came_from[t.target.name] = state
            if not t.target.is_end or t.target.name == GOAL_STATE:
                queue.append(t.target.name)
    if GOAL_STATE not in came_from:
        raise ValueError(f"{process.process_id} has no path to {GOAL_STATE!r}")
    path: list[str] = []
    step: str | None = GOAL_STATE
    while step is not None:
        path.append(step)
        step = came_from[step]
    return path[::-1]


def _first_source(process: ProcessDefinition, state: State) -> str | None:
    for t in process.transitions:
        if t.target == state and t.source is not None:
            return t.source.name
    return None


def _carrying(process: ProcessDefinition, message: MessageType) -> Transition | None:
    """The transition that sends ``message`` or is triggered by receiving it."""
    for t in process.transitions:
        received = t.trigger.kind is TriggerKind.MESSAGE and t.trigger.name == message
        if t.sends == message or received:
            return t
    return None


async def _rows(session: AsyncSession, sql: str, params: dict[str, Any]) -> Table:
    result = await session.execute(text(sql), params)
    return Table(
        columns=list(result.keys()),
        rows=[dict(row) for row in result.mappings().all()],
    )


async def prepare(session: AsyncSession) -> None:
    """Makes the transaction read-only, in UTC, and bounded in time."""
    await session.execute(text("SET TRANSACTION READ ONLY"))
    await session.execute(text("SET LOCAL TIME ZONE 'UTC'"))
    await session.execute(text("SET LOCAL statement_timeout = '20s'"))


# The orders of the range; every query starts from it.
_RANGED = "SELECT * FROM orders WHERE placed_at >= :start AND placed_at < :end"


def _seconds(expression: str, name: str) -> str:
    """Two columns: the exact duration (numeric) and its double for percentiles."""
    return (
        f"extract(epoch FROM {expression}) AS {name}_n, "
        f"extract(epoch FROM {expression})::float8 AS {name}_s"
    )


def _stats(name: str, percentiles: Sequence[int], where: str = "") -> str:
    """p50, p90, ... and the mean of a duration column pair from :func:`_seconds`."""
    only = f" FILTER (WHERE {where})" if where else ""
    parts = [
        f"percentile_cont({p / 100}) WITHIN GROUP (ORDER BY {name}_s){only}"
        f" AS {name}_p{p}_s"
        for p in percentiles
    ]
    parts.append(f"round(avg({name}_n){only}, 3)::float8 AS {name}_mean_s")
    return ", ".join(parts)


async def cycle_time(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """Placed to end, per end state: count, p50, p90, p99 and mean."""
    sql = f"""
        WITH ended AS (
            SELECT state, {_seconds("ended_at - placed_at", "cycle")}
              FROM ({_RANGED}) o
             WHERE ended_at IS NOT NULL
        )
        SELECT e.state AS end_state,
               count(c.cycle_s) AS orders,
               {_stats("cycle", (50, 90, 99))}
          FROM unnest(CAST(:end_states AS text[])) WITH ORDINALITY AS e(state, ord)
          LEFT JOIN ended c ON c.state = e.state
         GROUP BY e.state, e.ord
         ORDER BY e.ord
    """
    return await _rows(session, sql, {**r.params, "end_states": plan.end_states})


async def cycle_time_daily(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """Per day the orders were placed: how many ended, and their p50 and p90."""
    sql = f"""
        WITH ended AS (
            SELECT date_trunc('day', placed_at) AS day,
                   {_seconds("ended_at - placed_at", "cycle")}
              FROM ({_RANGED}) o
             WHERE ended_at IS NOT NULL
        )
        SELECT d.day::date AS day,
               count(c.cycle_s) AS ended_orders,
               {_stats("cycle", (50, 90))}
          FROM generate_series(
                   date_trunc('day', CAST(:start AS timestamptz)),
                   CAST(:end AS timestamptz) - interval '1 microsecond',
                   interval '1 day'
               ) AS d(day)
          LEFT JOIN ended c ON c.day = d.day
         GROUP BY d.day
         ORDER BY d.day
    """
    return await _rows(session, sql, r.params)


_TASKS = f"""
    SELECT t.task_type, t.state, t.completed_by, t.due_at, t.completed_at,
           {_seconds("t.claimed_at - t.created_at", "waiting")},
           {_seconds("t.completed_at - t.claimed_at", "handling")},
           {_seconds("t.completed_at - t.created_at", "total")}
      FROM ({_RANGED}) o
      JOIN human_task t ON t.order_id = o.id
"""

# Waiting, handling and total time count completed tasks only: a cancelled task
# was never worked to its end, and an open one has no end yet.
_TASK_STATS = f"""
    count(t.task_type) AS tasks,
    count(*) FILTER (WHERE t.state IN ('open', 'claimed')) AS open,
    count(*) FILTER (WHERE t.state = 'cancelled') AS cancelled,
    count(*) FILTER (WHERE t.state = 'completed') AS completed,
    {_stats("waiting", (50, 90), "t.state = 'completed'")},
    {_stats("handling", (50, 90), "t.state = 'completed'")},
    {_stats("total", (50, 90), "t.state = 'completed'")},
    count(*) FILTER (
        WHERE t.state = 'completed' AND t.due_at IS NOT NULL
    ) AS completed_with_due,
    count(*) FILTER (
        WHERE t.state = 'completed' AND t.completed_at <= t.due_at
    ) AS completed_within_due,
    (count(*) FILTER (
        WHERE t.state = 'completed' AND t.completed_at <= t.due_at
    ))::float8
        / nullif(count(*) FILTER (
            WHERE t.state = 'completed' AND t.due_at IS NOT NULL
        ), 0) AS within_due_share
"""


async def tasks(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """Per human task type: waiting, handling and total time; share within due."""
    sql = f"""
        SELECT k.task_type, {_TASK_STATS}
          FROM unnest(CAST(:task_types AS text[])) WITH ORDINALITY AS k(task_type, ord)
          LEFT JOIN ({_TASKS}) t ON t.task_type = k.task_type
         GROUP BY k.task_type, k.ord
         ORDER BY k.ord
    """
    return await _rows(session, sql, {**r.params, "task_types": plan.task_types})


async def tasks_by_assignee(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """The same per task type and the person who completed the tasks."""
    sql = f"""
        SELECT t.task_type, t.completed_by AS assignee, {_TASK_STATS}
          FROM ({_TASKS}) t
         WHERE t.state = 'completed'
         GROUP BY t.task_type, t.completed_by
         ORDER BY array_position(CAST(:task_types AS text[]), t.task_type),
                  t.completed_by COLLATE "C"
    """
    return await _rows(session, sql, {**r.params, "task_types": plan.task_types})


# Each order's state, ranked with the funnel step it reached.
_RANKED = f"""
    SELECT o.state, m.rank
      FROM ({_RANGED}) o
      JOIN unnest(CAST(:rank_states AS text[]), CAST(:ranks AS int[]))
           AS m(state, rank) ON m.state = o.state
"""


def _rank_params(plan: FunnelPlan) -> dict[str, Any]:
    return {"rank_states": list(plan.ranks), "ranks": list(plan.ranks.values())}


async def funnel(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """Per step: the orders that reached it, those waiting there, those lost there.

    One row per step and outcome: ``reached`` (share of the orders placed),
    ``in_progress`` and one row per end state that leaves the funnel at the step
    (shares of the orders that reached the step).
    """
    step_nos: list[int] = []
    steps: list[str] = []
    outcomes: list[str] = []
    for step_no, step in enumerate(plan.steps):
        for outcome in ("reached", "in_progress", *plan.losses.get(step, ())):
            if outcome == "in_progress" and step == plan.steps[-1]:
                continue
            step_nos.append(step_no)
            steps.append(step)
            outcomes.append(outcome)
    sql = f"""
        WITH ranked AS ({_RANKED}),
        reached AS (
            SELECT s.step_no, count(r.rank) AS n
              FROM generate_series(0, :last_step) AS s(step_no)
              LEFT JOIN ranked r ON r.rank >= s.step_no
             GROUP BY s.step_no
        ),
        plan AS (
            SELECT *
              FROM unnest(
                       CAST(:step_nos AS int[]),
                       CAST(:steps AS text[]),
                       CAST(:outcomes AS text[])
                   ) WITH ORDINALITY AS p(step_no, step, outcome, ord)
        ),
        counted AS (
            SELECT p.ord, p.step_no, p.step, p.outcome, re.n AS reached,
                   CASE p.outcome
                       WHEN 'reached' THEN re.n
                       WHEN 'in_progress' THEN (
                           SELECT count(*) FROM ranked r WHERE r.state = p.step)
                       ELSE (SELECT count(*) FROM ranked r WHERE r.state = p.outcome)
                   END AS orders
              FROM plan p
              JOIN reached re ON re.step_no = p.step_no
        )
        SELECT step_no, step, outcome, orders,
               orders::float8 / nullif(
                   CASE outcome
                       WHEN 'reached' THEN (SELECT n FROM reached WHERE step_no = 0)
                       ELSE reached
                   END, 0) AS share
          FROM counted
         ORDER BY ord
    """
    params = {
        **r.params,
        **_rank_params(plan),
        "last_step": len(plan.steps) - 1,
        "step_nos": step_nos,
        "steps": steps,
        "outcomes": outcomes,
    }
    return await _rows(session, sql, params)


async def quotes(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """Quotes issued, accepted, declined, expired; acceptance = accepted / answered."""
    if plan.quote_waiting is None or plan.quote_accepted is None:
        return Table(columns=[], rows=[])
    sql = f"""
        WITH ranked AS ({_RANKED}),
        counted AS (
            SELECT count(*) FILTER (WHERE rank >= :waiting_rank) AS issued,
                   count(*) FILTER (WHERE state = :waiting) AS awaiting_answer,
                   count(*) FILTER (WHERE rank >= :accepted_rank) AS accepted,
                   count(*) FILTER (WHERE state = :declined) AS declined,
                   count(*) FILTER (WHERE state = :expired) AS expired
              FROM ranked
        )
        SELECT issued, awaiting_answer, accepted, declined, expired,
               accepted + declined AS answered,
               accepted::float8 / nullif(accepted + declined, 0) AS acceptance_rate
          FROM counted
    """
    # Declined and expired orders rank with the step they left from, the one
    # waiting for the answer, so only accepted orders rank above it.
    params = {
        **r.params,
        **_rank_params(plan),
        "waiting": plan.quote_waiting,
        "waiting_rank": plan.ranks[plan.quote_waiting],
        "accepted_rank": plan.ranks[plan.quote_accepted],
        "declined": plan.quote_declined or "",
        "expired": plan.quote_expired or "",
    }
    return await _rows(session, sql, params)


async def outcomes(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """Per end state: orders, orders with a quote, and the sum of their totals."""
    sql = f"""
        SELECT e.state AS end_state,
               count(o.id) AS orders,
               count(o.quote_total) AS quoted_orders,
               coalesce(sum(o.quote_total), 0)::numeric(18, 2) AS quote_value
          FROM unnest(CAST(:end_states AS text[])) WITH ORDINALITY AS e(state, ord)
          LEFT JOIN ({_RANGED}) o ON o.state = e.state
         GROUP BY e.state, e.ord
         ORDER BY e.ord
    """
    return await _rows(session, sql, {**r.params, "end_states": plan.end_states})


MAX_BUCKETS = 5000


class TooManyBuckets(InvalidInput):
    """Raised when a range would cut into more than ``MAX_BUCKETS`` buckets."""


async def _throughput(session: AsyncSession, r: Range, unit: str) -> Table:
    """Orders placed and ended per bucket, and the work in progress at its end.

    Work in progress at a bucket's end: orders of the range placed before it and
    not ended before it. Orders end after they start, so it is the running sum of
    placed minus ended over the buckets generate_series makes.
    """
    sql = """
        WITH o AS (
            SELECT placed_at, ended_at FROM orders
             WHERE placed_at >= :start AND placed_at < :end
        ),
        placed AS (
            SELECT date_trunc(:unit, placed_at) AS bucket, count(*) AS n
              FROM o GROUP BY 1
        ),
        ended AS (
            SELECT date_trunc(:unit, ended_at) AS bucket, count(*) AS n
              FROM o WHERE ended_at IS NOT NULL GROUP BY 1
        ),
        buckets AS (
            SELECT generate_series(
                       date_trunc(:unit, CAST(:start AS timestamptz)),
                       CAST(:end AS timestamptz) - interval '1 microsecond',
                       CAST(:step AS interval)
                   ) AS bucket
        )
        SELECT b.bucket,
               coalesce(p.n, 0) AS placed,
               coalesce(e.n, 0) AS ended,
               (sum(coalesce(p.n, 0) - coalesce(e.n, 0))
                   OVER (ORDER BY b.bucket))::bigint AS wip_at_end
          FROM buckets b
          LEFT JOIN placed p ON p.bucket = b.bucket
          LEFT JOIN ended e ON e.bucket = b.bucket
         ORDER BY b.bucket
    """
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    if (r.end - r.start) / step > MAX_BUCKETS:
        raise TooManyBuckets(
            f"a range of {r.end - r.start} has more than {MAX_BUCKETS} {unit}s"
        )
    return await _rows(session, sql, {**r.params, "unit": unit, "step": step})


async def throughput_daily(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """Per UTC day: orders placed, orders ended, work in progress at its end."""
    return await _throughput(session, r, "day")


async def throughput_hourly(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """Per hour: orders placed, orders ended, work in progress at its end."""
    return await _throughput(session, r, "hour")


async def bottlenecks(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """Time between an order's consecutive steps, per element it waited at.

    A step that changes the state leaves the token at the last element of its
    path (the element the new state waits at). A step that does not (a task
    claimed, a task escalated) leaves it where it was: the first element, since
    an escalation's path goes on to the boundary event and its own end event.
    """
    sql = f"""
        WITH steps AS (
            SELECT CASE WHEN h.to_state IS NULL THEN h.element_ids[1]
                        ELSE h.element_ids[cardinality(h.element_ids)]
                   END AS element_id,
                   lead(h.at) OVER (PARTITION BY h.order_id ORDER BY h.at, h.id)
                       - h.at AS waited
              FROM ({_RANGED}) o
              JOIN process_history h ON h.order_id = o.id
        ),
        waits AS (
            SELECT element_id, {_seconds("waited", "wait")}
              FROM steps WHERE waited IS NOT NULL
        )
        SELECT rank() OVER (ORDER BY sum(wait_n) DESC) AS rank,
               element_id,
               count(*) AS waits,
               sum(wait_n)::float8 AS total_wait_s,
               {_stats("wait", (50, 90))}
          FROM waits
         GROUP BY element_id
         ORDER BY sum(wait_n) DESC, element_id COLLATE "C"
    """
    return await _rows(session, sql, r.params)


_MESSAGES = f"""
    SELECT m.event_type, m.state,
           (SELECT count(*) FROM delivery_attempt a WHERE a.message_id = m.id)
               AS attempts,
           {_seconds("m.delivered_at - m.created_at", "latency")}
      FROM ({_RANGED}) o
      JOIN outbox_message m ON m.order_id = o.id
"""


async def delivery_attempts(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """How many messages took each number of HTTP attempts, by final state."""
    sql = f"""
        SELECT attempts,
               count(*) AS messages,
               count(*) FILTER (WHERE state = 'delivered') AS delivered,
               count(*) FILTER (WHERE state = 'failed') AS failed,
               count(*) FILTER (WHERE state = 'pending') AS pending
          FROM ({_MESSAGES}) m
         GROUP BY attempts
         ORDER BY attempts
    """
    return await _rows(session, sql, r.params)


async def deliveries(session: AsyncSession, plan: FunnelPlan, r: Range) -> Table:
    """All messages, then per event type: failure rate, attempts, latency."""
    sql = f"""
        SELECT CASE WHEN grouping(event_type) = 1 THEN 'all'
                    ELSE event_type END AS event_type,
               count(*) AS messages,
               count(*) FILTER (WHERE state = 'delivered') AS delivered,
               count(*) FILTER (WHERE state = 'failed') AS failed,
               count(*) FILTER (WHERE state = 'pending') AS pending,
               (count(*) FILTER (WHERE state = 'failed'))::float8
                   / nullif(count(*), 0) AS failure_rate,
               sum(attempts)::bigint AS attempts,
               max(attempts) AS max_attempts,
               {_stats("latency", (50, 90, 99), "state = 'delivered'")}
          FROM ({_MESSAGES}) m
         GROUP BY GROUPING SETS ((), (event_type))
         ORDER BY grouping(event_type) DESC, event_type COLLATE "C"
    """
    return await _rows(session, sql, r.params)


Query = Callable[[AsyncSession, FunnelPlan, Range], Awaitable[Table]]
