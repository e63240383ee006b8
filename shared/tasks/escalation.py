"""Escalating human tasks left past their due time: the model's ``*_Overdue`` timers."""

import structlog
from sqlalchemy import insert, text

from shared.clock import utcnow
from shared.db import Database
from shared.metrics import hooks as metrics
from shared.models import HistoryEntry
from shared.process import ProcessDefinition

log = structlog.get_logger()

BATCH = 100

# The row lock taken by SKIP LOCKED and the ``escalated_at IS NULL`` test together
# make each escalation happen once: a replica that reaches the same task later
# either skips it while it is locked or no longer finds it unescalated. The
# version stays: an escalation changes no decision anyone is looking at, so a
# person who opened the task before it fell due may still complete it.
_ESCALATE = text(
    """
    UPDATE human_task AS t
       SET escalated_at = now(),
           priority = t.priority + :step
     WHERE t.id IN (
            SELECT id FROM human_task
             WHERE state IN ('open', 'claimed')
               AND escalated_at IS NULL
               AND due_at <= now()
             ORDER BY due_at
             LIMIT :limit
               FOR UPDATE SKIP LOCKED)
    RETURNING t.id, t.order_id, t.task_type, t.due_at, t.priority
    """
)

_NEXT_DUE = text(
    """
    SELECT min(due_at) FROM human_task
     WHERE state IN ('open', 'claimed') AND escalated_at IS NULL
    """
)


async def escalate_overdue(
    db: Database, process: ProcessDefinition, *, priority_step: int
) -> bool:
    """Escalates a batch of overdue tasks; True if more may be overdue."""
    async with db.transaction() as session:
        rows = (
            await session.execute(_ESCALATE, {"step": priority_step, "limit": BATCH})
        ).all()
        if not rows:
            return False
        now = utcnow()
        entries = []
        for row in rows:
            task_type = process.task_type(row.task_type)
            entries.append(
                {
                    "order_id": row.order_id,
                    "at": now,
                    "element_ids": [
                        task_type.element_id,
                        task_type.overdue_element_id,
                        task_type.escalated_element_id,
                    ],
                    "cause": "timer:task_overdue",
                    "actor": "timer",
                    "detail": {
                        "task_id": str(row.id),
                        "due_at": row.due_at.isoformat(),
                        "priority": row.priority,
                    },
                }
            )
            log.info(
                "task.escalated",
                order_id=str(row.order_id),
                task_id=str(row.id),
                task_type=row.task_type,
            )
        await session.execute(insert(HistoryEntry), entries)
    for row in rows:
        metrics.task_escalated(db.schema, row.task_type)
    return len(rows) == BATCH


async def seconds_until_next_overdue(db: Database) -> float | None:
    return await db.seconds_until(_NEXT_DUE)
