"""The quote expiry timer: the buyer's side owns it, so accept and expire never race."""

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from client_service.models import Order
from client_service.process import AWAITING_QUOTE_DECISION, PROCESS, QUOTE_EXPIRY
from shared.clock import utcnow
from shared.db import Database
from shared.messages import QuoteExpired
from shared.process import timer
from shared.process_state import advance

BATCH = 100


async def expire_quotes(db: Database) -> bool:
    """Ends every order whose quote ran out unanswered; True if more may be due.

    ``SKIP LOCKED`` lets replicas share the work, and skips an order whose buyer is
    completing the task right now: that completion either wins or sees the expiry.
    """
    async with db.transaction() as session:
        orders = (
            await session.scalars(
                select(Order)
                .where(
                    col(Order.state) == AWAITING_QUOTE_DECISION.name,
                    col(Order.quote_valid_until) <= utcnow(),
                )
                .order_by(col(Order.quote_valid_until))
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for order in orders:
            await _expire(session, order)
    return len(orders) == BATCH


async def _expire(session: AsyncSession, order: Order) -> None:
    assert order.quote_id is not None
    await advance(
        session,
        process=PROCESS,
        instance=order,
        trigger=timer(QUOTE_EXPIRY),
        actor="timer",
        message=QuoteExpired(
            order_id=order.id, quote_id=order.quote_id, expired_at=utcnow()
        ),
    )
    order.end_reason = "quote expired unanswered"


async def seconds_until_next_expiry(db: Database) -> float | None:
    return await db.seconds_until(
        select(func.min(col(Order.quote_valid_until))).where(
            col(Order.state) == AWAITING_QUOTE_DECISION.name
        )
    )
