"""Tables every service keeps in its own schema: outbox, inbox, history, tasks.

They live in their own registry; each service's ``search_path`` decides the schema.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


def utc_column(*, nullable: bool = False) -> Any:
    """A timestamptz column; ``sa_type`` gives every table a column of its own."""
    return Field(
        default=None if nullable else ...,
        sa_type=DateTime(timezone=True),
        nullable=nullable,
    )


class InfraModel(SQLModel, registry=registry()):
    pass


class OutboxMessage(InfraModel, table=True):
    """A webhook waiting to be delivered, or the record that it was."""

    __tablename__ = "outbox_message"

    id: str = Field(primary_key=True)
    seq: int = Field(
        sa_column=Column(BigInteger, Identity(), unique=True, nullable=False)
    )
    order_id: uuid.UUID = Field(index=True)
    event_type: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    state: str = "pending"
    attempts: int = 0
    bursts: int = 0
    created_at: datetime = utc_column()
    next_attempt_at: datetime = utc_column()
    lease_until: datetime | None = utc_column(nullable=True)
    delivered_at: datetime | None = utc_column(nullable=True)
    last_status: int | None = None
    last_error: str | None = None


class DeliveryAttempt(InfraModel, table=True):
    """One HTTP request made for an outbox message."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(), primary_key=True)
    )
    message_id: str = Field(index=True)
    attempt_no: int
    started_at: datetime = utc_column()
    duration_ms: float
    status_code: int | None = None
    error: str | None = None


class InboxMessage(InfraModel, table=True):
    """A webhook already applied; its id is the key that makes receiving idempotent."""

    __tablename__ = "inbox_message"

    message_id: str = Field(primary_key=True)
    event_type: str
    order_id: uuid.UUID
    received_at: datetime = utc_column()


class HistoryEntry(InfraModel, table=True):
    """One step of a process instance: a state change or a task action."""

    __tablename__ = "process_history"

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(), primary_key=True)
    )
    order_id: uuid.UUID = Field(index=True)
    at: datetime = utc_column()
    from_state: str | None = None
    to_state: str | None = None
    element_ids: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    cause: str
    actor: str | None = None
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))


class HumanTask(InfraModel, table=True):
    """A user task of the model, waiting for (or done by) a person."""

    __tablename__ = "human_task"

    id: uuid.UUID = Field(primary_key=True)
    order_id: uuid.UUID = Field(index=True)
    task_type: str
    element_id: str
    state: str = "open"
    candidate_role: str
    assignee: str | None = None
    priority: int = 50
    version: int = 1
    created_at: datetime = utc_column()
    due_at: datetime | None = utc_column(nullable=True)
    claimed_at: datetime | None = utc_column(nullable=True)
    completed_at: datetime | None = utc_column(nullable=True)
    escalated_at: datetime | None = utc_column(nullable=True)
    completed_by: str | None = None
    decision: str | None = None
    comment: str | None = None
    form: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
