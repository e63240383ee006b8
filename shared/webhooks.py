"""Receiving webhooks: verify, parse, and apply each one exactly once."""

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import ClientDisconnect

from shared.db import Database
from shared.deps import get_db, get_verifier
from shared.errors import InvalidInput, OrderflowError
from shared.inbox import remember
from shared.messages import Envelope, MessageType, Payload
from shared.signing import Verifier

log = structlog.get_logger()

MessageHandler = Callable[[AsyncSession, Payload], Awaitable[None]]


class WebhookReceipt(BaseModel):
    status: str
    message_id: str


def webhook_router(handlers: dict[MessageType, MessageHandler]) -> APIRouter:
    router = APIRouter(tags=["webhooks"])

    @router.post(
        "/webhooks",
        response_model=WebhookReceipt,
        responses={
            401: {"description": "Bad signature"},
            409: {"description": "Wrong state"},
        },
    )
    async def receive_webhook(
        request: Request,
        db: Annotated[Database, Depends(get_db)],
        verifier: Annotated[Verifier, Depends(get_verifier)],
    ) -> WebhookReceipt | Response:
        """Applies a signed message from the other service, once per webhook id."""
        try:
            body = await request.body()
        except ClientDisconnect:
            # The sender gave up (its timeout); it will send the message again.
            log.info("webhook.sender_disconnected")
            return Response(status_code=400)
        message_id = verifier.verify(body, request.headers)
        try:
            envelope = Envelope.model_validate_json(body)
            payload = envelope.payload()
        except ValidationError as exc:
            # Without the input values: they may carry names and reasons, and this
            # text ends up in the sender's logs and delivery records.
            problems = "; ".join(
                f"{'.'.join(map(str, error['loc']))}: {error['msg']}"
                for error in exc.errors(include_input=False, include_url=False)
            )
            raise InvalidInput(
                f"webhook {message_id} has an invalid body: {problems}"
            ) from exc
        handler = handlers.get(envelope.type)
        if handler is None:
            raise InvalidInput(f"this service does not accept {envelope.type} messages")

        bound = structlog.contextvars.bound_contextvars(
            order_id=str(payload.order_id), event_id=message_id
        )
        with bound:
            try:
                async with db.transaction() as session:
                    applied = await remember(
                        session,
                        message_id=message_id,
                        event_type=envelope.type.value,
                        order_id=payload.order_id,
                    )
                    if applied:
                        await handler(session, payload)
            except OrderflowError as exc:
                log.warning(
                    "webhook.refused", event_type=envelope.type, error=exc.detail
                )
                raise
        if not applied:
            log.info("webhook.duplicate", event_type=envelope.type)
        return WebhookReceipt(
            status="applied" if applied else "duplicate", message_id=message_id
        )

    return router
