"""What a person may do with a task, for the API and the web pages alike."""

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.roles import ADMIN, OVERSEERS
from shared.auth.tokens import Principal
from shared.errors import Forbidden
from shared.models import HumanTask
from shared.process import HumanTaskType, ProcessDefinition
from shared.tasks import service as task_service
from shared.tasks.schemas import CompleteRequest

CompleteTask = Callable[
    [AsyncSession, HumanTask, CompleteRequest, str], Awaitable[None]
]


class TaskAccess:
    """Which task types a caller may see, and which they may work on."""

    def __init__(self, process: ProcessDefinition) -> None:
        self._process = process

    def visible_types(self, principal: Principal) -> list[str]:
        return [
            task_type.name
            for task_type in self._process.task_types
            if principal.has_any(task_type.candidate_role, *OVERSEERS)
        ]

    def guard_see(self, principal: Principal, task: HumanTask) -> HumanTaskType:
        task_type = self._process.task_type(task.task_type)
        if not principal.has_any(task_type.candidate_role, *OVERSEERS):
            raise Forbidden(
                f"{task_type.name} tasks are for the {task_type.candidate_role} role"
            )
        return task_type

    def guard_work(self, principal: Principal, task: HumanTask) -> HumanTaskType:
        task_type = self._process.task_type(task.task_type)
        if not principal.has_any(task_type.candidate_role, ADMIN):
            raise Forbidden(
                f"{principal.username} may not work on {task_type.name} tasks: "
                f"they are for the {task_type.candidate_role} role"
            )
        return task_type


class TaskActions:
    """Claim, unclaim and complete, each checking the caller's role first.

    ``complete`` is the service's own: it locks the order, then calls
    ``lock_for_completion``, then moves the process on.
    """

    def __init__(self, process: ProcessDefinition, complete: CompleteTask) -> None:
        self.access = TaskAccess(process)
        self._complete = complete

    async def claim(
        self, session: AsyncSession, principal: Principal, task_id: uuid.UUID
    ) -> HumanTask:
        self.access.guard_work(principal, await task_service.get_task(session, task_id))
        return await task_service.claim(
            session, task_id=task_id, user=principal.username
        )

    async def unclaim(
        self, session: AsyncSession, principal: Principal, task_id: uuid.UUID
    ) -> HumanTask:
        self.access.guard_work(principal, await task_service.get_task(session, task_id))
        return await task_service.unclaim(
            session, task_id=task_id, user=principal.username
        )

    async def complete(
        self,
        session: AsyncSession,
        principal: Principal,
        task_id: uuid.UUID,
        request: CompleteRequest,
    ) -> HumanTask:
        task = await task_service.get_task(session, task_id)
        task_type = self.access.guard_work(principal, task)
        task_service.check_decision(task_type, request.decision, request.comment)
        await self._complete(session, task, request, principal.username)
        return task
