import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.types import Text

TaskState = Literal["open", "claimed", "completed", "cancelled"]


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    order_id: uuid.UUID
    task_type: str
    element_id: str
    state: str
    candidate_role: str
    assignee: str | None
    priority: int
    version: int
    created_at: datetime
    due_at: datetime | None
    claimed_at: datetime | None
    completed_at: datetime | None
    escalated_at: datetime | None
    completed_by: str | None
    decision: str | None
    comment: str | None
    form: dict[str, Any]


class TaskPage(BaseModel):
    items: list[TaskRead]
    total: int
    limit: int
    offset: int


class AssignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: Text = Field(max_length=100, description="Who gets the task.")


class CompleteRequest(BaseModel):
    """The caller, known from their token, completes the task."""

    model_config = ConfigDict(extra="forbid")

    decision: Text = Field(max_length=40)
    comment: Text | None = None
    version: int | None = Field(
        default=None,
        description="The version the user saw; a stale one is refused with 409.",
    )
