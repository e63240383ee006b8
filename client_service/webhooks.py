"""What the client does with each message from the supplier."""

import uuid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from client_service.models import QuoteLine
from client_service.orders.service import repository
from client_service.process import PROCESS
from shared.messages import (
    FulfilmentCompleted,
    MessageType,
    OrderRejected,
    Payload,
    QuoteIssued,
)
from shared.process import message
from shared.process_state import advance
from shared.webhooks import MessageHandler

SUPPLIER = "supplier"


async def on_order_rejected(session: AsyncSession, payload: Payload) -> None:
    assert isinstance(payload, OrderRejected)
    order = await repository.lock(session, payload.order_id)
    await advance(
        session,
        process=PROCESS,
        instance=order,
        trigger=message(MessageType.ORDER_REJECTED),
        actor=SUPPLIER,
        detail={"reason": payload.reason},
    )
    order.end_reason = payload.reason


async def on_quote_issued(session: AsyncSession, payload: Payload) -> None:
    assert isinstance(payload, QuoteIssued)
    order = await repository.lock(session, payload.order_id)
    form: dict[str, Any] = {
        "quote": payload.model_dump(mode="json", exclude={"order_id"}),
    }
    await advance(
        session,
        process=PROCESS,
        instance=order,
        trigger=message(MessageType.QUOTE_ISSUED),
        actor=SUPPLIER,
        task_form=form,
        detail={"quote_id": str(payload.quote_id), "total": str(payload.total)},
    )
    order.hold_quote(payload)
    await session.execute(
        insert(QuoteLine),
        [{"order_id": order.id, **line.model_dump()} for line in payload.lines],
    )


async def on_fulfilment_completed(session: AsyncSession, payload: Payload) -> None:
    assert isinstance(payload, FulfilmentCompleted)
    order = await repository.lock(session, payload.order_id)
    form = {
        "note": payload.note,
        "completed_at": payload.completed_at.isoformat(),
        "quote_total": str(order.quote_total),
        "lines": await _quoted_lines(session, order.id),
    }
    await advance(
        session,
        process=PROCESS,
        instance=order,
        trigger=message(MessageType.FULFILMENT_COMPLETED),
        actor=SUPPLIER,
        task_form=form,
    )


async def _quoted_lines(
    session: AsyncSession, order_id: uuid.UUID
) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(QuoteLine)
        .where(col(QuoteLine.order_id) == order_id)
        .order_by(col(QuoteLine.line_no))
    )
    return [
        {
            "product_id": row.product_id,
            "product_name": row.product_name,
            "quantity": row.quantity,
            "line_total": str(row.line_total),
        }
        for row in rows
    ]


HANDLERS: dict[MessageType, MessageHandler] = {
    MessageType.ORDER_REJECTED: on_order_rejected,
    MessageType.QUOTE_ISSUED: on_quote_issued,
    MessageType.FULFILMENT_COMPLETED: on_fulfilment_completed,
}
