"""Looking at deliveries and redelivering the ones that failed."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select

from shared.auth.deps import current_principal, require_roles
from shared.auth.roles import ADMIN, VIEWER
from shared.auth.tokens import Principal
from shared.db import Database
from shared.deps import get_db
from shared.errors import NotFound
from shared.models import DeliveryAttempt, OutboxMessage
from shared.outbox import service as outbox_service
from shared.types import MAX_OFFSET

MessageId = Annotated[str, Path(pattern=r"^[\x21-\x7e]{1,200}$")]

# Operations: viewers may look, only admins may act.
router = APIRouter(
    prefix="/outbox", tags=["outbox"], dependencies=[Depends(current_principal)]
)


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt_no: int
    started_at: datetime
    duration_ms: float
    status_code: int | None
    error: str | None


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    order_id: uuid.UUID
    event_type: str
    state: str
    attempts: int
    bursts: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None


class MessageDetail(MessageRead):
    attempt_log: list[AttemptRead]


@router.get(
    "/messages",
    response_model=list[MessageRead],
    dependencies=[Depends(require_roles(VIEWER))],
)
async def list_messages(
    db: Annotated[Database, Depends(get_db)],
    state: Literal["pending", "delivered", "failed"] | None = None,
    order_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[OutboxMessage]:
    """Lists outgoing messages, newest first; `state=failed` shows what needs a hand."""
    query = select(OutboxMessage)
    if state is not None:
        query = query.where(col(OutboxMessage.state) == state)
    if order_id is not None:
        query = query.where(col(OutboxMessage.order_id) == order_id)
    query = query.order_by(col(OutboxMessage.seq).desc()).limit(limit).offset(offset)
    async with db.transaction() as session:
        return list((await session.scalars(query)).all())


@router.get(
    "/messages/{message_id}",
    response_model=MessageDetail,
    dependencies=[Depends(require_roles(VIEWER))],
)
async def get_message(
    message_id: MessageId, db: Annotated[Database, Depends(get_db)]
) -> MessageDetail:
    """One message with every delivery attempt made for it."""
    async with db.transaction() as session:
        message = await session.get(OutboxMessage, message_id)
        if message is None:
            raise NotFound(f"message {message_id} does not exist")
        attempts = await session.scalars(
            select(DeliveryAttempt)
            .where(col(DeliveryAttempt.message_id) == message_id)
            .order_by(col(DeliveryAttempt.attempt_no))
        )
        return MessageDetail(
            **MessageRead.model_validate(message).model_dump(),
            attempt_log=[AttemptRead.model_validate(a) for a in attempts],
        )


@router.post("/messages/{message_id}/redeliver", response_model=MessageRead)
async def redeliver_message(
    message_id: MessageId,
    db: Annotated[Database, Depends(get_db)],
    principal: Annotated[Principal, Depends(require_roles(ADMIN))],
) -> OutboxMessage:
    """Puts a failed message back in the queue with a fresh retry schedule."""
    async with db.transaction() as session:
        return await outbox_service.redeliver(
            session, message_id=message_id, actor=principal.username
        )
