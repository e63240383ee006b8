"""Reading and locking orders, for either service's order tables."""

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import InvalidInput, NotFound
from shared.order_views import OrderDetail, OrderSummary, order_trail, quote_view
from shared.process import ProcessDefinition

OrderT = TypeVar("OrderT")


class OrderRepository(Generic[OrderT]):
    def __init__(
        self,
        *,
        order: type[OrderT],
        line: Any,
        quote_line: Any,
        process: ProcessDefinition,
        summary_view: type[OrderSummary],
        detail_view: type[OrderDetail],
    ) -> None:
        self._order: Any = order
        self._line = line
        self._quote_line = quote_line
        self.process = process
        self._states = [state.name for state in process.states]
        self.summary_view = summary_view
        self.detail_view = detail_view

    async def lock(self, session: AsyncSession, order_id: uuid.UUID) -> OrderT:
        """Loads an order under its row lock: every change to an order starts here."""
        order: OrderT | None = await session.get(
            self._order, order_id, with_for_update=True
        )
        if order is None:
            raise NotFound(f"order {order_id} does not exist")
        return order

    async def page(
        self,
        session: AsyncSession,
        *,
        state: str | None,
        customer_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[OrderT], int]:
        if state is not None and state not in self._states:
            raise InvalidInput(f"state must be one of: {', '.join(self._states)}")
        table = self._order
        filters = []
        if state is not None:
            filters.append(table.state == state)
        if customer_id is not None:
            filters.append(table.customer_id == customer_id)
        total = await session.scalar(
            select(func.count()).select_from(table).where(*filters)
        )
        rows = await session.scalars(
            select(table)
            .where(*filters)
            .order_by(table.placed_at.desc(), table.id)
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), total or 0

    async def detail(self, session: AsyncSession, order_id: uuid.UUID) -> OrderDetail:
        order = await session.get(self._order, order_id)
        if order is None:
            raise NotFound(f"order {order_id} does not exist")
        lines = await session.scalars(
            select(self._line)
            .where(self._line.order_id == order_id)
            .order_by(self._line.line_no)
        )
        quote_lines = await session.scalars(
            select(self._quote_line)
            .where(self._quote_line.order_id == order_id)
            .order_by(self._quote_line.line_no)
        )
        tasks, history, deliveries = await order_trail(session, order_id)
        return self.detail_view.model_validate(
            {
                **self.summary_view.model_validate(order).model_dump(),
                "lines": lines.all(),
                "quote": quote_view(order, list(quote_lines.all())),
                "tasks": tasks,
                "history": history,
                "deliveries": deliveries,
            }
        )
