import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.types import Text, UserName

Decision = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
]
StrictVersion = Annotated[int, Field(ge=1, strict=True)]

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

    assignee: UserName = Field(description="Who gets the task.")


class CompleteRequest(BaseModel):
    """The caller, known from their token, completes the task."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision
    comment: Text | None = None
    version: StrictVersion | None = Field(
        default=None,
        description="The version the user saw; a stale one is refused with 409.",
    )
