"""The "Generate quote" service task, run in the background after approval."""

import uuid
from datetime import timedelta
from decimal import Decimal

import structlog
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from shared.clock import utcnow
from shared.db import Database
from shared.messages import QuotedLine, QuoteIssued
from shared.process import service
from shared.process_state import advance
from shared.types import round_money
from supplier_service.models import Order, OrderLine, Product, QuoteLine
from supplier_service.process import GENERATE_QUOTE, PROCESS, QUOTING
from supplier_service.settings import SupplierSettings

log = structlog.get_logger()

BATCH = 50
CHANNEL = "supplier_quoting"


async def wake_quoting(session: AsyncSession) -> None:
    """Wakes the quoting job once the caller's transaction commits."""
    await session.execute(text(f"NOTIFY {CHANNEL}"))


def price_line(line: OrderLine, product: Product, max_discount: Decimal) -> QuotedLine:
    """Catalogue price times quantity, less the requested discount up to the cap."""
    discount = min(line.discount, max_discount)
    gross = product.unit_price * line.quantity
    return QuotedLine(
        line_no=line.line_no,
        product_id=product.product_id,
        product_name=product.product_name,
        quantity=line.quantity,
        unit_price=product.unit_price,
        discount=discount,
        line_total=round_money(gross * (1 - discount)),
    )


def build_quote(
    order: Order,
    lines: list[OrderLine],
    products: dict[int, Product],
    settings: SupplierSettings,
) -> QuoteIssued:
    max_discount = Decimal(str(settings.quote_max_discount))
    quoted = [
        price_line(line, products[line.product_id], max_discount) for line in lines
    ]
    subtotal = sum(
        (round_money(line.unit_price * line.quantity) for line in quoted), Decimal(0)
    )
    total = sum((line.line_total for line in quoted), Decimal(0))
    now = utcnow()
    return QuoteIssued(
        order_id=order.id,
        quote_id=uuid.uuid4(),
        lines=quoted,
        subtotal=subtotal,
        discount_total=subtotal - total,
        total=total,
        issued_at=now,
        valid_until=now + timedelta(seconds=settings.quote_validity_s),
    )


async def generate_quotes(db: Database, settings: SupplierSettings) -> bool:
    """Quotes a batch of approved orders and sends each quote; True if more wait."""
    async with db.transaction() as session:
        orders = (
            await session.scalars(
                select(Order)
                .where(col(Order.state) == QUOTING.name)
                .order_by(col(Order.updated_at))
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not orders:
            return False

        order_ids = [order.id for order in orders]
        lines_by_order: dict[uuid.UUID, list[OrderLine]] = {
            order_id: [] for order_id in order_ids
        }
        for line in await session.scalars(
            select(OrderLine)
            .where(col(OrderLine.order_id).in_(order_ids))
            .order_by(col(OrderLine.order_id), col(OrderLine.line_no))
        ):
            lines_by_order[line.order_id].append(line)
        product_ids = {
            line.product_id for lines in lines_by_order.values() for line in lines
        }
        products = {
            product.product_id: product
            for product in await session.scalars(
                select(Product).where(col(Product.product_id).in_(product_ids))
            )
        }

        failed = 0
        for order in orders:
            # One savepoint per order: an order that cannot be quoted (a product
            # gone from the catalogue since approval) must not stop the others.
            try:
                async with session.begin_nested():
                    await _quote(
                        session, order, lines_by_order[order.id], products, settings
                    )
            except (KeyError, ValueError):
                log.exception("quote.generation_failed", order_id=str(order.id))
                failed += 1
    return len(orders) == BATCH and not failed


async def _quote(
    session: AsyncSession,
    order: Order,
    lines: list[OrderLine],
    products: dict[int, Product],
    settings: SupplierSettings,
) -> None:
    quote = build_quote(order, lines, products, settings)
    await advance(
        session,
        process=PROCESS,
        instance=order,
        trigger=service(GENERATE_QUOTE),
        actor="system",
        message=quote,
        detail={"quote_id": str(quote.quote_id), "total": str(quote.total)},
    )
    order.hold_quote(quote)
    await session.execute(
        insert(QuoteLine),
        [{"order_id": order.id, **line.model_dump()} for line in quote.lines],
    )
