"""Recording each step of a process instance with the BPMN elements it passed."""

import uuid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utcnow
from shared.models import HistoryEntry
from shared.process import Transition


async def record_transition(
    session: AsyncSession,
    *,
    order_id: uuid.UUID,
    transition: Transition,
    actor: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    await session.execute(
        insert(HistoryEntry).values(
            order_id=order_id,
            at=utcnow(),
            from_state=transition.source.name if transition.source else None,
            to_state=transition.target.name,
            element_ids=list(transition.path),
            cause=f"{transition.trigger.kind}:{transition.trigger.name}",
            actor=actor,
            detail=detail,
        )
    )


async def record_task_action(
    session: AsyncSession,
    *,
    order_id: uuid.UUID,
    element_id: str,
    action: str,
    actor: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    await session.execute(
        insert(HistoryEntry).values(
            order_id=order_id,
            at=utcnow(),
            element_ids=[element_id],
            cause=f"task:{action}",
            actor=actor,
            detail=detail,
        )
    )
