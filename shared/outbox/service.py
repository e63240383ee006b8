"""Acting on outgoing messages on a person's behalf: the API and the pages share it."""

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from shared.clock import utcnow
from shared.errors import Conflict, NotFound
from shared.models import HistoryEntry, OutboxMessage
from shared.outbox.writer import wake_dispatchers


async def redeliver(
    session: AsyncSession, *, message_id: str, actor: str
) -> OutboxMessage:
    """Puts a failed message back in the queue with a fresh retry schedule.

    Raises NotFound for an unknown id and Conflict for a message that is not failed;
    the dispatchers are woken when the caller's transaction commits.
    """
    message = await session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound(f"message {message_id} does not exist")
    if message.state != "failed":
        raise Conflict(
            f"message {message_id} is {message.state}; "
            "only failed messages can be redelivered"
        )

    await session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(state="pending", bursts=0, next_attempt_at=utcnow(), lease_until=None)
    )
    await session.execute(
        insert(HistoryEntry).values(
            order_id=message.order_id,
            at=utcnow(),
            element_ids=[],
            cause="outbox:redelivered",
            actor=actor,
            detail={"message_id": message_id, "event_type": message.event_type},
        )
    )
    await wake_dispatchers(session)
    await session.refresh(message)
    return message
