from typing import Annotated

from fastapi import APIRouter, Depends

from client_service.orders import service as order_service
from client_service.orders.schemas import OrderCreate
from shared.auth.deps import require_roles
from shared.auth.roles import BUYER
from shared.auth.tokens import Principal
from shared.db import Database
from shared.deps import get_db
from shared.order_views import OrderDetail

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("", status_code=201, response_model=OrderDetail)
async def place_order(
    body: OrderCreate,
    db: Annotated[Database, Depends(get_db)],
    principal: Annotated[Principal, Depends(require_roles(BUYER))],
) -> OrderDetail:
    """Places an order; the supplier is told through the `order.placed` webhook."""
    async with db.transaction() as session:
        order = await order_service.place(
            session, request=body, actor=principal.username
        )
        return await order_service.repository.detail(session, order.id)
