"""The client service's own tables, in the ``client`` schema."""

import uuid

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.order_tables import (
    OrderLineColumns,
    ProcessInstanceColumns,
    QuoteColumns,
    QuoteLineColumns,
)

SCHEMA = "client"


class ClientModel(SQLModel, registry=registry()):
    pass


class Customer(ClientModel, table=True):
    __tablename__ = "customers"

    customer_id: str = Field(primary_key=True)
    company_name: str
    city: str | None = None
    region: str | None = None
    country: str | None = None


class Order(ProcessInstanceColumns, QuoteColumns, ClientModel, table=True):
    __tablename__ = "orders"

    id: uuid.UUID = Field(primary_key=True)
    customer_id: str = Field(foreign_key="customers.customer_id", index=True)


class OrderLine(OrderLineColumns, ClientModel, table=True):
    __tablename__ = "order_lines"


class QuoteLine(QuoteLineColumns, ClientModel, table=True):
    __tablename__ = "quote_lines"
