"""Moving a process instance along its definition, in the caller's transaction."""

import uuid
from datetime import datetime
from typing import Any, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utcnow
from shared.errors import Conflict
from shared.history import record_task_action, record_transition
from shared.messages import Payload
from shared.models import HumanTask
from shared.outbox.writer import enqueue
from shared.process import ProcessDefinition, Transition, Trigger, task
from shared.tasks.schemas import CompleteRequest
from shared.tasks.service import cancel_open_tasks, mark_completed, open_task

log = structlog.get_logger()


class ProcessInstance(Protocol):
    id: uuid.UUID
    state: str
    current_element: str
    updated_at: datetime
    ended_at: datetime | None


async def advance(
    session: AsyncSession,
    *,
    process: ProcessDefinition,
    instance: ProcessInstance,
    trigger: Trigger,
    actor: str | None,
    message: Payload | None = None,
    task_form: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> Transition:
    """Takes the transition ``trigger`` leads to from the instance's state.

    The caller holds the instance's row lock (or has just created it). Sends the
    transition's message and opens its human task, so that state, history, outbox
    and tasks change in one transaction.
    """
    # A new instance has no state yet: it can only take a start transition.
    transition = process.transition(instance.state or None, trigger)
    if transition is None:
        accepted = ", ".join(process.states_accepting(trigger)) or "none"
        raise Conflict(
            f"order {instance.id} is {instance.state}; {trigger.kind} "
            f"{trigger.name!r} applies only in: {accepted}"
        )

    now = utcnow()
    instance.state = transition.target.name
    instance.current_element = transition.target.element_id
    instance.updated_at = now
    if transition.target.is_end:
        instance.ended_at = now
        await cancel_open_tasks(session, order_id=instance.id, reason="process ended")

    await record_transition(
        session, order_id=instance.id, transition=transition, actor=actor, detail=detail
    )
    if transition.sends is not None:
        assert message is not None, f"{transition.sends} needs a payload"
        await enqueue(session, message_type=transition.sends, payload=message)
    if transition.opens_task is not None:
        assert task_form is not None, f"{transition.opens_task} needs a form"
        await open_task(
            session,
            order_id=instance.id,
            task_type=process.task_type(transition.opens_task),
            form=task_form,
        )
    log.info(
        "process.advanced",
        order_id=str(instance.id),
        from_state=transition.source.name if transition.source else None,
        to_state=transition.target.name,
        trigger=trigger.name,
    )
    return transition


async def finish_task(
    session: AsyncSession,
    *,
    process: ProcessDefinition,
    instance: ProcessInstance,
    task_row: HumanTask,
    request: CompleteRequest,
    user: str,
    message: Payload | None,
) -> Transition:
    """Completes a human task and takes the transition its decision leads to.

    The caller has locked the instance and then the task (``lock_for_completion``).
    """
    mark_completed(
        task_row, user=user, decision=request.decision, comment=request.comment
    )
    await record_task_action(
        session,
        order_id=instance.id,
        element_id=task_row.element_id,
        action="completed",
        actor=user,
        detail={"decision": request.decision, "comment": request.comment},
    )
    return await advance(
        session,
        process=process,
        instance=instance,
        trigger=task(task_row.task_type, request.decision),
        actor=user,
        message=message,
    )
