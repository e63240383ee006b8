"""The read side of the orders API, the same on both services."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from shared.auth.deps import CurrentPrincipal, current_principal
from shared.auth.roles import ADMIN, VIEWER
from shared.db import Database
from shared.deps import get_db
from shared.order_repository import OrderRepository
from shared.order_views import OrderPage
from shared.tasks.actions import TaskAccess
from shared.types import CUSTOMER_ID, MAX_OFFSET


def order_read_router(repository: OrderRepository[Any]) -> APIRouter:
    access = TaskAccess(repository.process)
    router = APIRouter(
        prefix="/orders", tags=["orders"], dependencies=[Depends(current_principal)]
    )

    @router.get("", response_model=OrderPage)
    async def list_orders(
        db: Annotated[Database, Depends(get_db)],
        state: Annotated[str | None, Query(max_length=40)] = None,
        customer_id: Annotated[str | None, Query(pattern=CUSTOMER_ID)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> OrderPage:
        """Lists orders, newest first, filtered by state or customer."""
        async with db.transaction() as session:
            rows, total = await repository.page(
                session,
                state=state,
                customer_id=customer_id,
                limit=limit,
                offset=offset,
            )
            items = [repository.summary_view.model_validate(row) for row in rows]
        return OrderPage(items=items, total=total, limit=limit, offset=offset)

    @router.get("/{order_id}", response_model=repository.detail_view)
    async def get_order(
        order_id: uuid.UUID,
        db: Annotated[Database, Depends(get_db)],
        principal: CurrentPrincipal,
    ) -> Any:
        """One order with its lines, quote, history, and the tasks and deliveries
        the caller's roles may see."""
        async with db.transaction() as session:
            detail = await repository.detail(session, order_id)
        visible = set(access.visible_types(principal))
        detail.tasks = [task for task in detail.tasks if task.task_type in visible]
        if not principal.has_any(VIEWER, ADMIN):
            detail.deliveries = []
        return detail

    return router
