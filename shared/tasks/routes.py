"""The task inbox API, shared by both services; completion is theirs to define."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.deps import get_db
from shared.errors import InvalidInput
from shared.models import HumanTask
from shared.process import ProcessDefinition
from shared.tasks import service as task_service
from shared.tasks.schemas import (
    ClaimRequest,
    CompleteRequest,
    TaskPage,
    TaskRead,
    TaskState,
    UnclaimRequest,
)

CompleteTask = Callable[[AsyncSession, HumanTask, CompleteRequest], Awaitable[None]]


def task_router(process: ProcessDefinition, complete: CompleteTask) -> APIRouter:
    """``complete`` locks the order, then calls ``lock_for_completion``, then acts."""
    router = APIRouter(prefix="/tasks", tags=["tasks"])
    task_types = tuple(t.name for t in process.task_types)

    @router.get("", response_model=TaskPage)
    async def list_tasks(
        db: Annotated[Database, Depends(get_db)],
        task_type: Annotated[str | None, Query(alias="type")] = None,
        state: TaskState | None = None,
        order_id: uuid.UUID | None = None,
        assignee: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> TaskPage:
        """Lists human tasks, oldest first, by type, state, order or assignee."""
        if task_type is not None and task_type not in task_types:
            raise InvalidInput(f"type must be one of: {', '.join(task_types)}")
        async with db.transaction() as session:
            rows, total = await task_service.list_tasks(
                session,
                task_type=task_type,
                state=state,
                order_id=order_id,
                assignee=assignee,
                limit=limit,
                offset=offset,
            )
            items = [TaskRead.model_validate(row) for row in rows]
        return TaskPage(items=items, total=total, limit=limit, offset=offset)

    @router.get("/{task_id}", response_model=TaskRead)
    async def get_task(
        task_id: uuid.UUID, db: Annotated[Database, Depends(get_db)]
    ) -> TaskRead:
        """One task with the form data a person needs to decide."""
        async with db.transaction() as session:
            return TaskRead.model_validate(
                await task_service.get_task(session, task_id)
            )

    @router.post("/{task_id}/claim", response_model=TaskRead)
    async def claim_task(
        task_id: uuid.UUID, body: ClaimRequest, db: Annotated[Database, Depends(get_db)]
    ) -> TaskRead:
        """Takes an open task; nobody else can complete it until it is unclaimed."""
        async with db.transaction() as session:
            task = await task_service.claim(session, task_id=task_id, user=body.user)
            return TaskRead.model_validate(task)

    @router.post("/{task_id}/unclaim", response_model=TaskRead)
    async def unclaim_task(
        task_id: uuid.UUID,
        body: UnclaimRequest,
        db: Annotated[Database, Depends(get_db)],
    ) -> TaskRead:
        """Gives a claimed task back to the inbox."""
        async with db.transaction() as session:
            task = await task_service.unclaim(session, task_id=task_id, user=body.user)
            return TaskRead.model_validate(task)

    @router.post(
        "/{task_id}/complete",
        response_model=TaskRead,
        responses={409: {"description": "Task not open, claimed by another, or stale"}},
    )
    async def complete_task(
        task_id: uuid.UUID,
        body: CompleteRequest,
        db: Annotated[Database, Depends(get_db)],
    ) -> TaskRead:
        """Completes a task with a decision; the process moves on in the same step."""
        async with db.transaction() as session:
            task = await task_service.get_task(session, task_id)
            task_type = process.task_type(task.task_type)
            if body.decision not in task_type.decisions:
                raise InvalidInput(
                    f"decision for {task_type.name} must be one of: "
                    + ", ".join(task_type.decisions)
                )
            if body.decision in task_type.needs_reason and not body.comment:
                raise InvalidInput(
                    f"decision {body.decision!r} needs a comment giving the reason"
                )
            await complete(session, task, body)
            return TaskRead.model_validate(task)

    return router
