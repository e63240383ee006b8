"""What the process code calls when something worth counting has happened.

Task completions are counted only once their transaction commits: a completion
whose transaction rolls back (a conflict found later in the same request) never
happened, and must not show in a dashboard. The observation waits in the session's
``info`` until SQLAlchemy's ``after_commit`` event, and is dropped on rollback.
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from shared.metrics.registry import service_metrics
from shared.models import HumanTask

_PENDING = "metrics.pending"
# Set by ``Database`` on its sessions: the schema, which is the service's name.
SCHEMA = "schema"


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def _observe_completion(
    service: str,
    task_type: str,
    decision: str,
    created_at: datetime,
    claimed_at: datetime | None,
    completed_at: datetime | None,
) -> None:
    metrics = service_metrics(service)
    metrics.task_completions.labels(service, task_type, decision).inc()
    for histogram, start, end in (
        (metrics.task_waiting, created_at, claimed_at),
        (metrics.task_handling, claimed_at, completed_at),
        (metrics.task_duration, created_at, completed_at),
    ):
        seconds = _seconds(start, end)
        if seconds is not None:
            histogram.labels(service, task_type).observe(seconds)


def task_completed(task: HumanTask) -> None:
    """Counts the completion of ``task`` and its times when its session commits.

    A task outside any session (a unit test's object) is not counted: there is no
    transaction that could make the completion real.
    """
    session = object_session(task)
    if session is None or SCHEMA not in session.info:
        return
    observe = partial(
        _observe_completion,
        session.info[SCHEMA],
        task.task_type,
        task.decision or "",
        task.created_at,
        task.claimed_at,
        task.completed_at,
    )
    session.info.setdefault(_PENDING, []).append(observe)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending: list[Callable[[], None]] = session.info.pop(_PENDING, [])
    for observe in pending:
        observe()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def task_escalated(service: str, task_type: str) -> None:
    service_metrics(service).task_escalations.labels(service, task_type).inc()


def delivery_attempted(service: str, event_type: str, outcome: str) -> None:
    """Counts one HTTP attempt; ``outcome`` is one of ``DELIVERY_OUTCOMES``."""
    metrics = service_metrics(service)
    metrics.delivery_attempts.labels(service, event_type, outcome).inc()


def delivery_recorded(
    service: str,
    event_type: str,
    *,
    state: str,
    created_at: datetime | None,
    delivered_at: datetime | None,
) -> None:
    """Counts a message's final outcome once the dispatcher has stored it."""
    metrics = service_metrics(service)
    if state == "failed":
        metrics.deliveries_failed.labels(service, event_type).inc()
        return
    latency = _seconds(created_at, delivered_at)
    if state == "delivered" and latency is not None:
        metrics.delivery_latency.labels(service, event_type).observe(latency)
