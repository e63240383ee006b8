"""The buyer's "Place order" page, added to the shared web UI."""

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select

from client_service.models import Customer
from client_service.orders import service as order_service
from client_service.orders.schemas import OrderCreate
from shared.auth.roles import ADMIN, BUYER
from shared.auth.tokens import Principal
from shared.db import Database
from shared.deps import get_db
from shared.errors import Forbidden, InvalidInput
from shared.web.pages import PREFIX, NavLink, PagePrincipal, Pages
from shared.web.routes import WebExtension

LINE_ROWS = 6


class FormProblem(Exception):
    """One thing wrong with what the buyer typed, said in their terms."""


def _guard_buyer(principal: Principal) -> None:
    if not principal.has_any(BUYER, ADMIN):
        raise Forbidden(f"{principal.username} may not place orders: buyers only")


def _number(text: str, what: str, row: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise FormProblem(f"line {row}: {what} must be a number") from exc
    # An exponent like 1e999999999 would make int() build a huge number and stall
    # the event loop; nothing in an order needs more than ten digits.
    if not value.is_finite() or value.adjusted() > 10:
        raise FormProblem(f"line {row}: {what} must be a number of at most 10 digits")
    return value


def _order_request(entered: dict[str, str]) -> OrderCreate:
    """Turns the form's text fields into an order; empty rows are skipped."""
    lines: list[dict[str, Any]] = []
    for row in range(1, LINE_ROWS + 1):
        product = entered.get(f"product_id_{row}", "").strip()
        quantity = entered.get(f"quantity_{row}", "").strip()
        discount = entered.get(f"discount_{row}", "").strip()
        if not (product or quantity or discount):
            continue
        if not (product and quantity):
            raise FormProblem(f"line {row}: give both a product id and a quantity")
        product_id = _number(product, "product id", row)
        count = _number(quantity, "quantity", row)
        if product_id != product_id.to_integral() or count != count.to_integral():
            raise FormProblem(f"line {row}: product id and quantity are whole numbers")
        line: dict[str, Any] = {"product_id": int(product_id), "quantity": int(count)}
        if discount:
            line["discount"] = _number(discount, "discount", row) / 100
        lines.append(line)
    if not lines:
        raise FormProblem("add at least one line with a product id and a quantity")
    delivery = entered.get("requested_delivery_date", "").strip()
    try:
        return OrderCreate.model_validate(
            {
                "customer_id": entered.get("customer_id", ""),
                "lines": lines,
                "requested_delivery_date": delivery or None,
            }
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        problem = f"{where}: {error['msg']}" if where else error["msg"]
        raise FormProblem(problem) from exc


def install(router: APIRouter, pages: Pages) -> None:
    async def render(
        request: Request,
        db: Database,
        principal: Principal,
        *,
        entered: dict[str, str],
        error: str | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        async with db.transaction() as session:
            customers = list(
                await session.scalars(
                    select(Customer).order_by(col(Customer.company_name))
                )
            )
        return pages.render(
            request,
            "order_new.html",
            {
                "customers": customers,
                "rows": range(1, LINE_ROWS + 1),
                "entered": entered,
                "error": error,
                "today": date.today().isoformat(),
            },
            principal=principal,
            status_code=status_code,
        )

    @router.get("/orders/new")
    async def new_order(
        request: Request,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
    ) -> HTMLResponse:
        _guard_buyer(principal)
        return await render(request, db, principal, entered={})

    @router.post("/orders/new")
    async def place_order(
        request: Request,
        principal: PagePrincipal,
        db: Annotated[Database, Depends(get_db)],
    ) -> Response:
        _guard_buyer(principal)
        form = await request.form()
        entered = {key: value for key, value in form.items() if isinstance(value, str)}
        try:
            order_request = _order_request(entered)
            async with db.transaction() as session:
                order = await order_service.place(
                    session, request=order_request, actor=principal.username
                )
        except (FormProblem, InvalidInput) as exc:
            message = exc.detail if isinstance(exc, InvalidInput) else str(exc)
            return await render(
                request,
                db,
                principal,
                entered=entered,
                error=f"The order was not placed: {message}",
                status_code=422,
            )
        return RedirectResponse(
            f"{PREFIX}/orders/{order.id}?msg=placed", status_code=303
        )


ORDER_FORM = WebExtension(
    template_dir=Path(__file__).parent / "templates",
    install=install,
    nav=(NavLink("Place order", f"{PREFIX}/orders/new", roles=(BUYER, ADMIN)),),
)
