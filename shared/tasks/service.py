"""Human tasks: opening, claiming and completing them, the same on both services."""

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from shared.auth.models import User
from shared.auth.roles import ADMIN
from shared.clock import utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.history import record_task_action
from shared.metrics import hooks as metrics
from shared.models import HumanTask
from shared.process import HumanTaskType

OPEN_STATES = ("open", "claimed")


async def open_task(
    session: AsyncSession,
    *,
    order_id: uuid.UUID,
    task_type: HumanTaskType,
    form: dict[str, Any],
) -> HumanTask:
    now = utcnow()
    due_s = session.info["task_due_s"].get(task_type.name, task_type.due_s)
    task = HumanTask(
        id=uuid.uuid4(),
        order_id=order_id,
        task_type=task_type.name,
        element_id=task_type.element_id,
        candidate_role=task_type.candidate_role,
        created_at=now,
        due_at=now + timedelta(seconds=due_s),
        form=form,
    )
    session.add(task)
    return task


async def cancel_open_tasks(
    session: AsyncSession, *, order_id: uuid.UUID, reason: str
) -> None:
    # A task completed in this transaction may not be written yet; without the
    # flush this bulk update would still see it open and cancel it.
    await session.flush()
    await session.execute(
        update(HumanTask)
        .where(
            col(HumanTask.order_id) == order_id, col(HumanTask.state).in_(OPEN_STATES)
        )
        .values(
            state="cancelled",
            completed_at=utcnow(),
            comment=reason,
            version=HumanTask.version + 1,
        )
    )


async def list_tasks(
    session: AsyncSession,
    *,
    task_types: list[str],
    state: str | None,
    order_id: uuid.UUID | None,
    assignee: str | None,
    overdue: bool | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[HumanTask], int]:
    filters: list[ColumnElement[bool]] = [col(HumanTask.task_type).in_(task_types)]
    if overdue is not None:
        late = col(HumanTask.state).in_(OPEN_STATES) & (
            col(HumanTask.due_at) < utcnow()
        )
        filters.append(late if overdue else ~late)
    if state is not None:
        filters.append(col(HumanTask.state) == state)
    if order_id is not None:
        filters.append(col(HumanTask.order_id) == order_id)
    if assignee is not None:
        filters.append(col(HumanTask.assignee) == assignee)

    total = await session.scalar(
        select(func.count()).select_from(HumanTask).where(*filters)
    )
    rows = await session.scalars(
        select(HumanTask)
        .where(*filters)
        .order_by(col(HumanTask.created_at), col(HumanTask.id))
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), total or 0


async def tasks_of_order(
    session: AsyncSession, order_id: uuid.UUID
) -> Sequence[HumanTask]:
    rows = await session.scalars(
        select(HumanTask)
        .where(col(HumanTask.order_id) == order_id)
        .order_by(col(HumanTask.created_at))
    )
    return rows.all()


async def get_task(
    session: AsyncSession, task_id: uuid.UUID, *, lock: bool = False
) -> HumanTask:
    query = select(HumanTask).where(col(HumanTask.id) == task_id)
    if lock:
        # The task may already be in the session from an earlier unlocked read;
        # without populate_existing the locked read would return that stale copy.
        query = query.with_for_update().execution_options(populate_existing=True)
    task = await session.scalar(query)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    return task


def check_decision(
    task_type: HumanTaskType, decision: str, comment: str | None
) -> None:
    """Refuses a decision the task type does not offer, or one missing its reason."""
    if decision not in task_type.decisions:
        raise InvalidInput(
            f"decision for {task_type.name} must be one of: "
            + ", ".join(task_type.decisions)
        )
    if decision in task_type.needs_reason and not (comment or "").strip():
        raise InvalidInput(f"decision {decision!r} needs a comment giving the reason")


def _guard_open(task: HumanTask) -> None:
    if task.state not in OPEN_STATES:
        raise Conflict(f"task {task.id} is {task.state}, not open")


async def claim(session: AsyncSession, *, task_id: uuid.UUID, user: str) -> HumanTask:
    task = await get_task(session, task_id, lock=True)
    _guard_open(task)
    if task.state == "claimed" and task.assignee != user:
        raise Conflict(f"task {task.id} is already claimed by {task.assignee}")
    if task.state == "claimed":
        return task

    await _hand_to(session, task, user, action="claimed", actor=user)
    return task


async def unclaim(session: AsyncSession, *, task_id: uuid.UUID, user: str) -> HumanTask:
    task = await get_task(session, task_id, lock=True)
    _guard_open(task)
    if task.state != "claimed" or task.assignee != user:
        raise Conflict(f"task {task.id} is not claimed by {user}")

    task.state = "open"
    task.assignee = None
    task.claimed_at = None
    task.version += 1
    await record_task_action(
        session,
        order_id=task.order_id,
        element_id=task.element_id,
        action="unclaimed",
        actor=user,
    )
    return task


async def assign(
    session: AsyncSession,
    *,
    task_id: uuid.UUID,
    assignee: str,
    actor: str,
) -> HumanTask:
    """Gives an open task to ``assignee``, who must be able to log in and do it."""
    task = await get_task(session, task_id, lock=True)
    _guard_open(task)
    person = await session.get(User, assignee)
    if person is None or person.disabled:
        raise InvalidInput(f"assignee: no user {assignee!r} can log in here")
    if task.candidate_role not in person.roles and ADMIN not in person.roles:
        raise InvalidInput(
            f"assignee: {assignee} does not have the {task.candidate_role} role"
        )

    detail = {"assignee": assignee, "previous_assignee": task.assignee}
    await _hand_to(
        session, task, assignee, action="assigned", actor=actor, detail=detail
    )
    return task


async def _hand_to(
    session: AsyncSession,
    task: HumanTask,
    assignee: str,
    *,
    action: str,
    actor: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Makes ``assignee`` the one person who may complete the task, in the history."""
    task.state = "claimed"
    task.assignee = assignee
    task.claimed_at = utcnow()
    task.version += 1
    await record_task_action(
        session,
        order_id=task.order_id,
        element_id=task.element_id,
        action=action,
        actor=actor,
        detail=detail,
    )


async def lock_for_completion(
    session: AsyncSession, *, task: HumanTask, user: str, version: int | None
) -> HumanTask:
    """Re-reads the task under a row lock and checks that ``user`` may complete it.

    Callers lock the order first and the task second, the same order every other
    writer uses, so a completion racing a timer or a webhook cannot deadlock. Two
    completions of one task queue on the row lock; the second finds it completed.
    """
    await session.refresh(task, with_for_update=True)
    _guard_open(task)
    if task.state == "claimed" and task.assignee != user:
        raise Conflict(f"task {task.id} is claimed by {task.assignee}")
    if version is not None and version != task.version:
        raise Conflict(
            f"task {task.id} changed since you saw it "
            f"(version {version}, now {task.version})"
        )
    return task


def mark_completed(
    task: HumanTask, *, user: str, decision: str, comment: str | None
) -> None:
    now = utcnow()
    task.state = "completed"
    task.assignee = task.assignee or user
    task.claimed_at = task.claimed_at or now
    task.completed_at = now
    task.completed_by = user
    task.decision = decision
    task.comment = comment
    task.version += 1
    metrics.task_completed(task)
