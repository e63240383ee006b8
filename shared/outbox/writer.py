"""Writing messages to the outbox, inside the caller's transaction."""

import uuid

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utcnow
from shared.messages import Envelope, MessageType, Payload
from shared.models import OutboxMessage


def outbox_channel(schema: str) -> str:
    return f"{schema}_outbox"


async def wake_dispatchers(session: AsyncSession) -> None:
    """Notifies this schema's dispatchers, once the caller's transaction commits."""
    schema = session.info["schema"]
    await session.execute(
        text("SELECT pg_notify(:channel, '')"), {"channel": outbox_channel(schema)}
    )


async def enqueue(
    session: AsyncSession, *, message_type: MessageType, payload: Payload
) -> str:
    """Stores a webhook for delivery once the surrounding transaction commits.

    The NOTIFY is transactional too: dispatchers wake only if the commit happens.
    """
    now = utcnow()
    message_id = f"msg_{uuid.uuid4().hex}"
    body = Envelope(
        type=message_type, timestamp=now, data=payload.model_dump(mode="json")
    ).model_dump_json()
    await session.execute(
        insert(OutboxMessage).values(
            id=message_id,
            order_id=payload.order_id,
            event_type=message_type.value,
            body=body,
            state="pending",
            created_at=now,
            next_attempt_at=now,
        )
    )
    await wake_dispatchers(session)
    return message_id
