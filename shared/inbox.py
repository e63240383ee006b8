"""The receiving half of exactly-once: remembering which webhooks were applied."""

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from shared.clock import utcnow
from shared.models import InboxMessage


async def remember(
    session: AsyncSession, *, message_id: str, event_type: str, order_id: uuid.UUID
) -> bool:
    """Records a webhook id in the caller's transaction; False if already applied.

    The primary key decides: a concurrent duplicate blocks on the first one's row
    lock and, once that commits, finds the conflict and does nothing.
    """
    inserted = await session.execute(
        insert(InboxMessage)
        .values(
            message_id=message_id,
            event_type=event_type,
            order_id=order_id,
            received_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(col(InboxMessage.message_id))
    )
    return inserted.first() is not None
