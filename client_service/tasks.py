"""What completing each of the buyer's tasks does to the order."""

from sqlalchemy.ext.asyncio import AsyncSession

from client_service.orders.service import repository
from client_service.process import CONFIRM_QUOTE, CONFIRM_RECEIPT, PROCESS
from shared.clock import utcnow
from shared.errors import Conflict
from shared.messages import (
    FulfilmentConfirmed,
    FulfilmentDisputed,
    Payload,
    QuoteAccepted,
    QuoteDeclined,
)
from shared.models import HumanTask
from shared.process_state import finish_task
from shared.tasks import service as task_service
from shared.tasks.schemas import CompleteRequest


async def complete_task(
    session: AsyncSession, task_row: HumanTask, request: CompleteRequest, user: str
) -> None:
    order = await repository.lock(session, task_row.order_id)
    await task_service.lock_for_completion(
        session, task=task_row, user=user, version=request.version
    )

    now = utcnow()
    message: Payload
    if task_row.task_type == CONFIRM_QUOTE.name:
        assert order.quote_id is not None
        assert order.quote_valid_until is not None
        if order.quote_valid_until <= now:
            raise Conflict(
                f"the quote for order {order.id} expired at {order.quote_valid_until}"
            )
        if request.decision == "accept":
            message = QuoteAccepted(
                order_id=order.id, quote_id=order.quote_id, accepted_at=now
            )
        else:
            message = QuoteDeclined(
                order_id=order.id,
                quote_id=order.quote_id,
                reason=request.comment,
                declined_at=now,
            )
    elif task_row.task_type == CONFIRM_RECEIPT.name:
        if request.decision == "confirm":
            message = FulfilmentConfirmed(order_id=order.id, confirmed_at=now)
        else:
            assert request.comment is not None
            message = FulfilmentDisputed(
                order_id=order.id, reason=request.comment, disputed_at=now
            )
    else:
        raise AssertionError(f"no completion for task type {task_row.task_type}")

    await finish_task(
        session,
        process=PROCESS,
        instance=order,
        task_row=task_row,
        request=request,
        user=user,
        message=message,
    )
    if request.decision in ("decline", "dispute"):
        order.end_reason = request.comment
