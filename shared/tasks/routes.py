"""The task inbox API, shared by both services; completion is theirs to define."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.auth.deps import CurrentPrincipal, require_roles
from shared.auth.roles import ADMIN
from shared.auth.tokens import Principal
from shared.db import Database
from shared.deps import get_db
from shared.errors import Forbidden, InvalidInput
from shared.process import ProcessDefinition
from shared.tasks import service as task_service
from shared.tasks.actions import CompleteTask, TaskActions
from shared.tasks.schemas import (
    AssignRequest,
    CompleteRequest,
    TaskPage,
    TaskRead,
    TaskState,
)
from shared.types import MAX_OFFSET, NO_NUL


def task_router(process: ProcessDefinition, complete: CompleteTask) -> APIRouter:
    """``complete`` locks the order, then calls ``lock_for_completion``, then acts."""
    router = APIRouter(prefix="/tasks", tags=["tasks"])
    actions = TaskActions(process, complete)
    access = actions.access
    task_types = tuple(t.name for t in process.task_types)

    @router.get("", response_model=TaskPage)
    async def list_tasks(
        db: Annotated[Database, Depends(get_db)],
        principal: CurrentPrincipal,
        task_type: Annotated[str | None, Query(alias="type")] = None,
        state: TaskState | None = None,
        order_id: uuid.UUID | None = None,
        assignee: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
        overdue: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> TaskPage:
        """Lists the tasks the caller may see, oldest first, with optional filters."""
        if task_type is not None and task_type not in task_types:
            raise InvalidInput(f"type must be one of: {', '.join(task_types)}")
        visible = access.visible_types(principal)
        if task_type is not None and task_type not in visible:
            raise Forbidden(f"{principal.username} may not see {task_type} tasks")
        async with db.transaction() as session:
            rows, total = await task_service.list_tasks(
                session,
                task_types=[task_type] if task_type else visible,
                state=state,
                order_id=order_id,
                assignee=assignee,
                overdue=overdue,
                limit=limit,
                offset=offset,
            )
            items = [TaskRead.model_validate(row) for row in rows]
        return TaskPage(items=items, total=total, limit=limit, offset=offset)

    @router.get("/{task_id}", response_model=TaskRead)
    async def get_task(
        task_id: uuid.UUID,
        db: Annotated[Database, Depends(get_db)],
        principal: CurrentPrincipal,
    ) -> TaskRead:
        """One task with the form data a person needs to decide."""
        async with db.transaction() as session:
            task = await task_service.get_task(session, task_id)
            access.guard_see(principal, task)
            return TaskRead.model_validate(task)

    @router.post("/{task_id}/claim", response_model=TaskRead)
    async def claim_task(
        task_id: uuid.UUID,
        db: Annotated[Database, Depends(get_db)],
        principal: CurrentPrincipal,
    ) -> TaskRead:
        """Takes an open task; nobody else can complete it until it is unclaimed."""
        async with db.transaction() as session:
            task = await actions.claim(session, principal, task_id)
            return TaskRead.model_validate(task)

    @router.post("/{task_id}/unclaim", response_model=TaskRead)
    async def unclaim_task(
        task_id: uuid.UUID,
        db: Annotated[Database, Depends(get_db)],
        principal: CurrentPrincipal,
    ) -> TaskRead:
        """Gives a task the caller claimed back to the inbox."""
        async with db.transaction() as session:
            task = await actions.unclaim(session, principal, task_id)
            return TaskRead.model_validate(task)

    @router.post("/{task_id}/assign", response_model=TaskRead)
    async def assign_task(
        task_id: uuid.UUID,
        body: AssignRequest,
        db: Annotated[Database, Depends(get_db)],
        principal: Annotated[Principal, Depends(require_roles(ADMIN))],
    ) -> TaskRead:
        """Gives an open task to someone (admins only)."""
        async with db.transaction() as session:
            task = await task_service.assign(
                session,
                task_id=task_id,
                assignee=body.assignee,
                actor=principal.username,
            )
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
        principal: CurrentPrincipal,
    ) -> TaskRead:
        """Completes a task with a decision; the process moves on in the same step."""
        async with db.transaction() as session:
            task = await actions.complete(session, principal, task_id, body)
            return TaskRead.model_validate(task)

    return router
