"""The quote arithmetic: exact decimals and one rounding rule."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from orderflow.secrets import new_secret
from supplier_service.models import Order, OrderLine, Product
from supplier_service.quoting import build_quote
from supplier_service.settings import SupplierSettings


def product(product_id: int, price: str) -> Product:
    return Product(
        product_id=product_id,
        product_name=f"product {product_id}",
        unit_price=Decimal(price),
        units_in_stock=10,
        units_on_order=0,
        reorder_level=0,
        discontinued=False,
    )


def line(no: int, product_id: int, quantity: int, discount: str) -> OrderLine:
    return OrderLine(
        order_id=uuid.uuid4(),
        line_no=no,
        product_id=product_id,
        quantity=quantity,
        discount=Decimal(discount),
    )


def an_order() -> Order:
    now = datetime.now(UTC)
    return Order(
        id=uuid.uuid4(),
        customer_id="ALFKI",
        customer_name="Alfreds Futterkiste",
        state="quoting",
        current_element="Supplier_GenerateQuote",
        placed_at=now,
        received_at=now,
        updated_at=now,
    )


def settings() -> SupplierSettings:
    return SupplierSettings(
        database_url="postgresql://unused",
        WEBHOOK_SECRET_CLIENT_TO_SUPPLIER=new_secret(),
        WEBHOOK_SECRET_SUPPLIER_TO_CLIENT=new_secret(),
        jwt_secret=new_secret(),
    )


def test_line_totals_round_half_up_to_the_cent_and_totals_add_up() -> None:
    order = an_order()
    products = {1: product(1, "0.0150"), 2: product(2, "19.4500")}
    lines = [line(1, 1, 1, "0"), line(2, 2, 3, "0.15")]

    quote = build_quote(order, lines, products, settings())

    # 0.015 -> 0.02 (half up); 3 x 19.45 x 0.85 = 49.5975 -> 49.60.
    assert [q.line_total for q in quote.lines] == [Decimal("0.02"), Decimal("49.60")]
    assert quote.subtotal == Decimal("0.02") + Decimal("58.35")
    assert quote.total == Decimal("49.62")
    assert quote.discount_total == quote.subtotal - quote.total == Decimal("8.75")


def test_a_discount_above_the_cap_is_granted_only_up_to_the_cap() -> None:
    order = an_order()

    quote = build_quote(
        order, [line(1, 1, 4, "0.9")], {1: product(1, "10")}, settings()
    )

    assert quote.lines[0].discount == Decimal("0.25")
    assert quote.total == Decimal("30.00")


def test_the_quote_is_valid_for_the_configured_period() -> None:
    order = an_order()

    quote = build_quote(order, [line(1, 1, 1, "0")], {1: product(1, "1")}, settings())

    assert (quote.valid_until - quote.issued_at).total_seconds() == 7 * 86400
