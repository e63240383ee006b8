"""What the supplier does with each message from the buyer."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from shared.errors import Conflict
from shared.messages import (
    FulfilmentDisputed,
    MessageType,
    OrderPlaced,
    Payload,
    QuoteAccepted,
    QuoteDeclined,
    QuoteExpired,
)
from shared.process import message
from shared.process_state import advance
from shared.webhooks import MessageHandler
from supplier_service.models import Order, QuoteLine
from supplier_service.orders import service as order_service
from supplier_service.orders.service import repository
from supplier_service.process import PROCESS

CLIENT = "client"


async def on_order_placed(session: AsyncSession, payload: Payload) -> None:
    assert isinstance(payload, OrderPlaced)
    await order_service.receive(session, payload)


def _answer_to(
    order: Order, payload: QuoteAccepted | QuoteDeclined | QuoteExpired
) -> None:
    # Guards against an answer to some other quote than the one this order holds;
    # an order without a quote is refused by its state instead.
    if order.quote_id is not None and payload.quote_id != order.quote_id:
        raise Conflict(
            f"order {order.id} holds quote {order.quote_id}, not {payload.quote_id}"
        )


async def on_quote_answered(session: AsyncSession, payload: Payload) -> None:
    assert isinstance(payload, QuoteAccepted | QuoteDeclined | QuoteExpired)
    order = await repository.lock(session, payload.order_id)
    _answer_to(order, payload)
    kind = {
        QuoteAccepted: MessageType.QUOTE_ACCEPTED,
        QuoteDeclined: MessageType.QUOTE_DECLINED,
        QuoteExpired: MessageType.QUOTE_EXPIRED,
    }[type(payload)]
    form = (
        await _fulfilment_form(session, order)
        if kind is MessageType.QUOTE_ACCEPTED
        else None
    )
    await advance(
        session,
        process=PROCESS,
        instance=order,
        trigger=message(kind),
        actor=CLIENT,
        task_form=form,
    )
    if isinstance(payload, QuoteDeclined):
        order.end_reason = payload.reason or "quote declined"
    elif isinstance(payload, QuoteExpired):
        order.end_reason = "quote expired unanswered"


async def on_receipt(session: AsyncSession, payload: Payload) -> None:
    order = await repository.lock(session, payload.order_id)
    disputed = isinstance(payload, FulfilmentDisputed)
    kind = (
        MessageType.FULFILMENT_DISPUTED
        if disputed
        else MessageType.FULFILMENT_CONFIRMED
    )
    await advance(
        session,
        process=PROCESS,
        instance=order,
        trigger=message(kind),
        actor=CLIENT,
        detail={"reason": payload.reason}
        if isinstance(payload, FulfilmentDisputed)
        else None,
    )
    if isinstance(payload, FulfilmentDisputed):
        order.end_reason = payload.reason


async def _fulfilment_form(session: AsyncSession, order: Order) -> dict[str, Any]:
    """What the fulfilment team ships: the accepted quote's lines and the customer."""
    lines = await session.scalars(
        select(QuoteLine)
        .where(col(QuoteLine.order_id) == order.id)
        .order_by(col(QuoteLine.line_no))
    )
    return {
        "customer": {
            "customer_id": order.customer_id,
            "company_name": order.customer_name,
            "city": order.customer_city,
            "country": order.customer_country,
        },
        "requested_delivery_date": (
            order.requested_delivery_date.isoformat()
            if order.requested_delivery_date
            else None
        ),
        "quote_total": str(order.quote_total),
        "lines": [
            {
                "line_no": line.line_no,
                "product_id": line.product_id,
                "product_name": line.product_name,
                "quantity": line.quantity,
            }
            for line in lines
        ],
    }


HANDLERS: dict[MessageType, MessageHandler] = {
    MessageType.ORDER_PLACED: on_order_placed,
    MessageType.QUOTE_ACCEPTED: on_quote_answered,
    MessageType.QUOTE_DECLINED: on_quote_answered,
    MessageType.QUOTE_EXPIRED: on_quote_answered,
    MessageType.FULFILMENT_CONFIRMED: on_receipt,
    MessageType.FULFILMENT_DISPUTED: on_receipt,
}
