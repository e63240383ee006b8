"""The queries behind the inbox: the filtered task list and the counts above it."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import ColumnElement, func, nulls_last
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from shared.clock import utcnow
from shared.models import HumanTask
from shared.tasks.service import OPEN_STATES

StateFilter = Literal["active", "open", "claimed", "completed", "cancelled", "all"]
STATE_FILTERS: tuple[StateFilter, ...] = (
    "active",
    "open",
    "claimed",
    "completed",
    "cancelled",
    "all",
)
INBOX_LIMIT = 100


@dataclass(frozen=True)
class InboxFilter:
    task_type: str | None = None
    state: StateFilter = "active"
    assignee: str | None = None
    overdue: bool = False


@dataclass
class TypeCounts:
    """How many tasks of one type are in each state, and how many are late."""

    by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    escalated: int = 0

    def add(self, other: "TypeCounts") -> None:
        for state, count in other.by_state.items():
            self.by_state[state] = self.by_state.get(state, 0) + count
        self.overdue += other.overdue
        self.escalated += other.escalated


def _late() -> ColumnElement[bool]:
    return col(HumanTask.state).in_(OPEN_STATES) & (col(HumanTask.due_at) < utcnow())


async def inbox_tasks(
    session: AsyncSession, *, task_types: list[str], where: InboxFilter
) -> tuple[Sequence[HumanTask], int]:
    """Work still to do first; among it, highest priority, then the earliest due."""
    filters: list[ColumnElement[bool]] = [col(HumanTask.task_type).in_(task_types)]
    if where.task_type is not None:
        filters.append(col(HumanTask.task_type) == where.task_type)
    if where.state == "active":
        filters.append(col(HumanTask.state).in_(OPEN_STATES))
    elif where.state != "all":
        filters.append(col(HumanTask.state) == where.state)
    if where.assignee is not None:
        filters.append(col(HumanTask.assignee) == where.assignee)
    if where.overdue:
        filters.append(_late())

    total = await session.scalar(
        select(func.count()).select_from(HumanTask).where(*filters)
    )
    rows = await session.scalars(
        select(HumanTask)
        .where(*filters)
        .order_by(
            col(HumanTask.state).in_(OPEN_STATES).desc(),
            col(HumanTask.priority).desc(),
            nulls_last(col(HumanTask.due_at).asc()),
            col(HumanTask.created_at).desc(),
        )
        .limit(INBOX_LIMIT)
    )
    return rows.all(), total or 0


async def inbox_counts(
    session: AsyncSession, *, task_types: list[str]
) -> dict[str, TypeCounts]:
    """Counts per visible type, in the order given; every type has an entry."""
    rows = await session.execute(
        sa_select(
            col(HumanTask.task_type),
            col(HumanTask.state),
            func.count(),
            func.count().filter(_late()),
            func.count().filter(
                col(HumanTask.escalated_at).is_not(None)
                & col(HumanTask.state).in_(OPEN_STATES)
            ),
        )
        .where(col(HumanTask.task_type).in_(task_types))
        .group_by(col(HumanTask.task_type), col(HumanTask.state))
    )
    counts = {name: TypeCounts() for name in task_types}
    for task_type, state, total, late, escalated in rows:
        entry = counts[task_type]
        entry.by_state[state] = total
        entry.overdue += late
        entry.escalated += escalated
    return counts
