"""How both services show an order: lines, quote, tasks, history and deliveries."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from shared.models import HistoryEntry, OutboxMessage
from shared.outbox.routes import MessageRead
from shared.tasks.schemas import TaskRead
from shared.tasks.service import tasks_of_order
from shared.types import Discount, Money, UnitPrice


class OrderLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_no: int
    product_id: int
    quantity: int
    requested_unit_price: UnitPrice | None
    discount: Discount


class QuoteLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_no: int
    product_id: int
    product_name: str
    quantity: int
    unit_price: UnitPrice
    discount: Discount
    line_total: Money


class QuoteRead(BaseModel):
    quote_id: uuid.UUID
    subtotal: Money
    discount_total: Money
    total: Money
    issued_at: datetime
    valid_until: datetime
    lines: list[QuoteLineRead]


class HistoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    from_state: str | None
    to_state: str | None
    element_ids: list[str]
    cause: str
    actor: str | None
    detail: dict[str, Any] | None


class OrderSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: str
    state: str
    current_element: str
    requested_delivery_date: date | None
    placed_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    quote_total: Money | None


class OrderPage(BaseModel):
    items: list[OrderSummary]
    total: int
    limit: int
    offset: int


class OrderDetail(OrderSummary):
    lines: list[OrderLineRead]
    quote: QuoteRead | None
    tasks: list[TaskRead]
    history: list[HistoryRead]
    deliveries: list[MessageRead]


def quote_view(order: Any, quote_lines: list[Any]) -> QuoteRead | None:
    if order.quote_id is None:
        return None
    total: Decimal = order.quote_total
    return QuoteRead(
        quote_id=order.quote_id,
        subtotal=order.quote_subtotal,
        discount_total=order.quote_discount_total,
        total=total,
        issued_at=order.quote_issued_at,
        valid_until=order.quote_valid_until,
        lines=[QuoteLineRead.model_validate(line) for line in quote_lines],
    )


async def order_trail(
    session: AsyncSession, order_id: uuid.UUID
) -> tuple[list[TaskRead], list[HistoryRead], list[MessageRead]]:
    """Tasks, history and outgoing messages of one order, one query each."""
    tasks = await tasks_of_order(session, order_id)
    history = await session.scalars(
        select(HistoryEntry)
        .where(col(HistoryEntry.order_id) == order_id)
        .order_by(col(HistoryEntry.id))
    )
    messages = await session.scalars(
        select(OutboxMessage)
        .where(col(OutboxMessage.order_id) == order_id)
        .order_by(col(OutboxMessage.seq))
    )
    return (
        [TaskRead.model_validate(t) for t in tasks],
        [HistoryRead.model_validate(h) for h in history],
        [MessageRead.model_validate(m) for m in messages],
    )
