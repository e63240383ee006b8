"""The webhook contract between the two services: message types and payloads.

Every webhook body is an envelope ``{"type", "timestamp", "data"}`` as the Standard
Webhooks specification suggests. Money travels as decimal strings.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.types import Discount, Money, Quantity, Text, UnitPrice


class MessageType(StrEnum):
    ORDER_PLACED = "order.placed"
    ORDER_REJECTED = "order.rejected"
    QUOTE_ISSUED = "quote.issued"
    QUOTE_ACCEPTED = "quote.accepted"
    QUOTE_DECLINED = "quote.declined"
    QUOTE_EXPIRED = "quote.expired"
    FULFILMENT_COMPLETED = "fulfilment.completed"
    FULFILMENT_CONFIRMED = "fulfilment.confirmed"
    FULFILMENT_DISPUTED = "fulfilment.disputed"


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    order_id: uuid.UUID


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_id: Text
    company_name: Text
    city: Text | None = None
    country: Text | None = None


class PlacedLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_no: int
    product_id: int
    quantity: Quantity
    requested_unit_price: UnitPrice | None = None
    discount: Discount = Decimal(0)


class OrderPlaced(Payload):
    customer: Customer
    lines: list[PlacedLine]
    requested_delivery_date: date | None
    placed_at: datetime


class OrderRejected(Payload):
    reason: Text
    rejected_at: datetime


class QuotedLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_no: int
    product_id: int
    product_name: Text
    quantity: Quantity
    unit_price: UnitPrice
    discount: Discount
    line_total: Money


class QuoteIssued(Payload):
    quote_id: uuid.UUID
    lines: list[QuotedLine]
    subtotal: Money
    discount_total: Money
    total: Money
    issued_at: datetime
    valid_until: datetime


class QuoteAccepted(Payload):
    quote_id: uuid.UUID
    accepted_at: datetime


class QuoteDeclined(Payload):
    quote_id: uuid.UUID
    reason: Text | None = None
    declined_at: datetime


class QuoteExpired(Payload):
    quote_id: uuid.UUID
    expired_at: datetime


class FulfilmentCompleted(Payload):
    note: Text | None = None
    completed_at: datetime


class FulfilmentConfirmed(Payload):
    confirmed_at: datetime


class FulfilmentDisputed(Payload):
    reason: Text
    disputed_at: datetime


PAYLOADS: dict[MessageType, type[Payload]] = {
    MessageType.ORDER_PLACED: OrderPlaced,
    MessageType.ORDER_REJECTED: OrderRejected,
    MessageType.QUOTE_ISSUED: QuoteIssued,
    MessageType.QUOTE_ACCEPTED: QuoteAccepted,
    MessageType.QUOTE_DECLINED: QuoteDeclined,
    MessageType.QUOTE_EXPIRED: QuoteExpired,
    MessageType.FULFILMENT_COMPLETED: FulfilmentCompleted,
    MessageType.FULFILMENT_CONFIRMED: FulfilmentConfirmed,
    MessageType.FULFILMENT_DISPUTED: FulfilmentDisputed,
}


class Envelope(BaseModel):
    """The body of every webhook; ``data`` is validated against ``PAYLOADS[type]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: MessageType
    timestamp: datetime
    data: dict[str, Any]

    def payload(self) -> Payload:
        return PAYLOADS[self.type].model_validate(self.data)
