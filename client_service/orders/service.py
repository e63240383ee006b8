"""Placing orders and reading them back."""

import uuid

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from client_service.models import Customer, Order, OrderLine, QuoteLine
from client_service.orders.schemas import OrderCreate
from client_service.process import PROCESS
from shared.clock import utcnow
from shared.errors import InvalidInput
from shared.messages import Customer as CustomerPayload
from shared.messages import OrderPlaced, PlacedLine
from shared.order_repository import OrderRepository
from shared.order_views import OrderDetail, OrderSummary
from shared.process import START
from shared.process_state import advance

repository = OrderRepository[Order](
    order=Order,
    line=OrderLine,
    quote_line=QuoteLine,
    process=PROCESS,
    summary_view=OrderSummary,
    detail_view=OrderDetail,
)


async def place(
    session: AsyncSession, *, request: OrderCreate, actor: str | None
) -> Order:
    """Stores a new order and queues ``order.placed`` in the same transaction."""
    customer = await session.get(Customer, request.customer_id)
    if customer is None:
        raise InvalidInput(f"customer_id: no customer {request.customer_id!r}")
    if (
        request.requested_delivery_date
        and request.requested_delivery_date < utcnow().date()
    ):
        raise InvalidInput("requested_delivery_date: must not be in the past")

    now = utcnow()
    order = Order(
        id=uuid.uuid4(),
        customer_id=customer.customer_id,
        state="",
        current_element="",
        requested_delivery_date=request.requested_delivery_date,
        placed_at=now,
        updated_at=now,
    )
    lines = [
        PlacedLine(line_no=no, **line.model_dump())
        for no, line in enumerate(request.lines, start=1)
    ]
    message = OrderPlaced(
        order_id=order.id,
        customer=CustomerPayload(
            customer_id=customer.customer_id,
            company_name=customer.company_name,
            city=customer.city,
            country=customer.country,
        ),
        lines=lines,
        requested_delivery_date=order.requested_delivery_date,
        placed_at=now,
    )
    await advance(
        session,
        process=PROCESS,
        instance=order,
        trigger=START,
        actor=actor,
        message=message,
    )
    session.add(order)
    await session.flush()
    await session.execute(
        insert(OrderLine),
        [{"order_id": order.id, **line.model_dump()} for line in lines],
    )
    return order
