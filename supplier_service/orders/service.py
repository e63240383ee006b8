"""Receiving orders from the buyer and showing them."""

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from shared.clock import utcnow
from shared.errors import Conflict
from shared.messages import MessageType, OrderPlaced
from shared.order_repository import OrderRepository
from shared.order_views import OrderDetail, OrderSummary
from shared.process import message
from shared.process_state import advance
from supplier_service.models import Order, OrderLine, Product, QuoteLine
from supplier_service.process import PROCESS


class SupplierOrderSummary(OrderSummary):
    customer_name: str
    customer_city: str | None
    customer_country: str | None
    received_at: Any


class SupplierOrderDetail(OrderDetail, SupplierOrderSummary):
    pass


repository = OrderRepository[Order](
    order=Order,
    line=OrderLine,
    quote_line=QuoteLine,
    process=PROCESS,
    summary_view=SupplierOrderSummary,
    detail_view=SupplierOrderDetail,
)


async def verification_form(
    session: AsyncSession, placed: OrderPlaced
) -> dict[str, Any]:
    """What a clerk needs to verify an order: each line against the catalogue."""
    product_ids = [line.product_id for line in placed.lines]
    products = {
        product.product_id: product
        for product in await session.scalars(
            select(Product).where(col(Product.product_id).in_(product_ids))
        )
    }
    lines = []
    for line in placed.lines:
        product = products.get(line.product_id)
        lines.append(
            {
                "line_no": line.line_no,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "requested_unit_price": _text(line.requested_unit_price),
                "discount": str(line.discount),
                "exists": product is not None,
                "product_name": product.product_name if product else None,
                "discontinued": product.discontinued if product else None,
                "units_in_stock": product.units_in_stock if product else None,
                "in_stock": product is not None
                and product.units_in_stock >= line.quantity,
                "catalogue_unit_price": _text(product.unit_price if product else None),
            }
        )
    return {
        "customer": placed.customer.model_dump(mode="json"),
        "requested_delivery_date": _text(placed.requested_delivery_date),
        "lines": lines,
    }


async def receive(session: AsyncSession, placed: OrderPlaced) -> None:
    """Stores the supplier's copy of a new order and opens its verification task."""
    if await session.get(Order, placed.order_id) is not None:
        raise Conflict(f"order {placed.order_id} was already received")

    now = utcnow()
    order = Order(
        id=placed.order_id,
        customer_id=placed.customer.customer_id,
        customer_name=placed.customer.company_name,
        customer_city=placed.customer.city,
        customer_country=placed.customer.country,
        state="",
        current_element="",
        requested_delivery_date=placed.requested_delivery_date,
        placed_at=placed.placed_at,
        received_at=now,
        updated_at=now,
    )
    await advance(
        session,
        process=PROCESS,
        instance=order,
        trigger=message(MessageType.ORDER_PLACED),
        actor="client",
        task_form=await verification_form(session, placed),
    )
    session.add(order)
    await session.flush()
    await session.execute(
        insert(OrderLine),
        [{"order_id": order.id, **line.model_dump()} for line in placed.lines],
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
