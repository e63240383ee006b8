"""The webhook contract between the two services: message types and payloads.

Every webhook body is an envelope ``{"type", "timestamp", "data"}`` as the Standard
Webhooks specification suggests. Money travels as decimal strings.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared.types import (
    CustomerId,
    Discount,
    IsoDate,
    LineNo,
    Money,
    ProductId,
    Quantity,
    Text,
    UnitPrice,
)


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

    customer_id: CustomerId
    company_name: Text
    city: Text | None = None
    country: Text | None = None


class PlacedLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_no: LineNo
    product_id: ProductId
    quantity: Quantity
    requested_unit_price: UnitPrice | None = None
    discount: Discount = Decimal(0)


class OrderPlaced(Payload):
    customer: Customer
    lines: list[PlacedLine] = Field(min_length=1, max_length=200)
    requested_delivery_date: IsoDate | None
    placed_at: AwareDatetime

    @model_validator(mode="after")
    def _distinct_lines(self) -> OrderPlaced:
        if len({line.line_no for line in self.lines}) < len(self.lines):
            raise ValueError("line numbers must be distinct")
        if len({line.product_id for line in self.lines}) < len(self.lines):
            raise ValueError("a product may appear on one line only")
        return self


class OrderRejected(Payload):
    reason: Text
    rejected_at: AwareDatetime


class QuotedLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_no: LineNo
    product_id: ProductId
    product_name: Text
    quantity: Quantity
    unit_price: UnitPrice
    discount: Discount
    line_total: Money


class QuoteIssued(Payload):
    quote_id: uuid.UUID
    lines: list[QuotedLine] = Field(min_length=1, max_length=200)
    subtotal: Money
    discount_total: Money
    total: Money
    issued_at: AwareDatetime
    valid_until: AwareDatetime


class QuoteAccepted(Payload):
    quote_id: uuid.UUID
    accepted_at: AwareDatetime


class QuoteDeclined(Payload):
    quote_id: uuid.UUID
    reason: Text | None = None
    declined_at: AwareDatetime


class QuoteExpired(Payload):
    quote_id: uuid.UUID
    expired_at: AwareDatetime


class FulfilmentCompleted(Payload):
    note: Text | None = None
    completed_at: AwareDatetime


class FulfilmentConfirmed(Payload):
    confirmed_at: AwareDatetime


class FulfilmentDisputed(Payload):
    reason: Text
    disputed_at: AwareDatetime


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
    timestamp: AwareDatetime
    data: dict[str, Any]

    def payload(self) -> Payload:
        return PAYLOADS[self.type].model_validate(self.data)
