"""The supplier service's own tables, in the ``supplier`` schema."""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.models import utc_column
from shared.order_tables import (
    OrderLineColumns,
    ProcessInstanceColumns,
    QuoteColumns,
    QuoteLineColumns,
)

SCHEMA = "supplier"


class SupplierModel(SQLModel, registry=registry()):
    pass


class Product(SupplierModel, table=True):
    __tablename__ = "products"

    product_id: int = Field(primary_key=True)
    product_name: str
    category: str | None = None
    maker: str | None = None
    quantity_per_unit: str | None = None
    unit_price: Decimal = Field(sa_type=Numeric(14, 4))
    units_in_stock: int
    units_on_order: int
    reorder_level: int
    discontinued: bool


class Order(ProcessInstanceColumns, QuoteColumns, SupplierModel, table=True):
    __tablename__ = "orders"

    id: uuid.UUID = Field(primary_key=True)
    customer_id: str = Field(index=True)
    customer_name: str
    customer_city: str | None = None
    customer_country: str | None = None
    received_at: datetime = utc_column()


class OrderLine(OrderLineColumns, SupplierModel, table=True):
    __tablename__ = "order_lines"


class QuoteLine(QuoteLineColumns, SupplierModel, table=True):
    __tablename__ = "quote_lines"
