"""What completing each of the supplier's tasks does to the order."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from shared.clock import utcnow
from shared.errors import InvalidInput
from shared.messages import FulfilmentCompleted, OrderRejected, Payload
from shared.models import HumanTask
from shared.process_state import finish_task
from shared.tasks import service as task_service
from shared.tasks.schemas import CompleteRequest
from supplier_service.models import Order, OrderLine, Product
from supplier_service.orders.service import repository
from supplier_service.process import CONFIRM_FULFILMENT, PROCESS, VERIFY_ORDER
from supplier_service.quoting import wake_quoting


async def _guard_approvable(session: AsyncSession, order: Order) -> None:
    missing = await session.scalars(
        select(col(OrderLine.product_id))
        .where(col(OrderLine.order_id) == order.id)
        .where(~col(OrderLine.product_id).in_(select(col(Product.product_id))))
    )
    unknown = sorted(missing)
    if unknown:
        raise InvalidInput(
            "decision: cannot approve, products not in the catalogue: "
            + ", ".join(map(str, unknown))
        )


async def complete_task(
    session: AsyncSession, task_row: HumanTask, request: CompleteRequest, user: str
) -> None:
    order = await repository.lock(session, task_row.order_id)
    await task_service.lock_for_completion(
        session, task=task_row, user=user, version=request.version
    )

    now = utcnow()
    message: Payload | None = None
    if task_row.task_type == VERIFY_ORDER.name:
        if request.decision == "approve":
            await _guard_approvable(session, order)
            await wake_quoting(session)
        else:
            assert request.comment is not None
            message = OrderRejected(
                order_id=order.id, reason=request.comment, rejected_at=now
            )
            order.end_reason = request.comment
    elif task_row.task_type == CONFIRM_FULFILMENT.name:
        message = FulfilmentCompleted(
            order_id=order.id, note=request.comment, completed_at=now
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
