"""Columns of an order that both services keep, each in its own tables.

Both sides store the same order and quote (the webhook contract carries them), so
the column definitions live here once; each service declares its own tables.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric
from sqlmodel import Field, SQLModel

from shared.messages import QuoteIssued
from shared.models import utc_column


def money_column(*, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ..., sa_type=Numeric(16, 2), nullable=nullable
    )


class ProcessInstanceColumns(SQLModel):
    """An order is a process instance: where its token is and since when."""

    state: str = Field(index=True)
    current_element: str
    placed_at: datetime = utc_column()
    updated_at: datetime = utc_column()
    ended_at: datetime | None = utc_column(nullable=True)
    end_reason: str | None = None
    requested_delivery_date: date | None = None


class QuoteColumns(SQLModel):
    quote_id: uuid.UUID | None = None
    quote_subtotal: Decimal | None = money_column(nullable=True)
    quote_discount_total: Decimal | None = money_column(nullable=True)
    quote_total: Decimal | None = money_column(nullable=True)
    quote_issued_at: datetime | None = utc_column(nullable=True)
    quote_valid_until: datetime | None = utc_column(nullable=True)

    def hold_quote(self, quote: QuoteIssued) -> None:
        """Keeps the quote's header on the order; its lines go to quote_lines."""
        self.quote_id = quote.quote_id
        self.quote_subtotal = quote.subtotal
        self.quote_discount_total = quote.discount_total
        self.quote_total = quote.total
        self.quote_issued_at = quote.issued_at
        self.quote_valid_until = quote.valid_until


class OrderLineColumns(SQLModel):
    order_id: uuid.UUID = Field(primary_key=True)
    line_no: int = Field(primary_key=True)
    product_id: int
    quantity: int
    requested_unit_price: Decimal | None = Field(
        default=None, sa_type=Numeric(14, 4), nullable=True
    )
    discount: Decimal = Field(default=Decimal(0), sa_type=Numeric(5, 4))


class QuoteLineColumns(SQLModel):
    order_id: uuid.UUID = Field(primary_key=True)
    line_no: int = Field(primary_key=True)
    product_id: int
    product_name: str
    quantity: int
    unit_price: Decimal = Field(sa_type=Numeric(14, 4))
    discount: Decimal = Field(sa_type=Numeric(5, 4))
    line_total: Decimal = money_column()
