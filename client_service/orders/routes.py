from typing import Annotated

from fastapi import APIRouter, Depends, Header

from client_service.orders import service as order_service
from client_service.orders.schemas import OrderCreate
from shared.db import Database
from shared.deps import get_db
from shared.order_views import OrderDetail

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("", status_code=201, response_model=OrderDetail)
async def place_order(
    body: OrderCreate,
    db: Annotated[Database, Depends(get_db)],
    x_user: Annotated[str | None, Header(max_length=100)] = None,
) -> OrderDetail:
    """Places an order; the supplier is told through the `order.placed` webhook."""
    async with db.transaction() as session:
        order = await order_service.place(session, request=body, actor=x_user)
        return await order_service.repository.detail(session, order.id)
